/**
 * The same test body on both databases: `forEachDatabase((fresh) => { … })` runs its
 * tests once on SQLite and once on PostgreSQL (when a server is available), each test on
 * a new, empty, migrated database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, inject } from 'vitest';
import { openDatabase, type Db, type DialectName } from '../src/db/connection.js';

export const postgresUrl = (): string => inject('postgresUrl');

export function databaseNames(): DialectName[] {
  return postgresUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A new empty database of the dialect; closed and removed after the test. */
export async function createTestDatabase(dialect: DialectName): Promise<{ db: Db; url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kansou-test-'));
    const url = join(dir, 'kansou.db');
    const db = await openDatabase(url);
    return { db, url, drop: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const admin = new pg.Client({ connectionString: postgresUrl() });
  await admin.connect();
  const name = `kansou_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(postgresUrl());
  url.pathname = `/${name}`;
  const db = await openDatabase(url.toString(), { poolSize: 4 });
  return {
    db,
    url: url.toString(),
    drop: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: postgresUrl() });
      await c.connect();
      // Not `with (force)`: that would kill connections the pool is still closing and
      // surface as an uncaught error; a closed pool lets go within moments.
      for (let attempt = 0; ; attempt++) {
        try {
          await c.query(`drop database if exists ${name}`);
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await c.end();
    },
  };
}

/**
 * Runs `body` in a describe block per database. `fresh()` gives the test a new database
 * (and its URL, for tests that start the CLI or server against it).
 */
export function forEachDatabase(body: (fresh: () => Promise<{ db: Db; url: string }>, dialect: DialectName) => void): void {
  for (const dialect of databaseNames()) {
    describe(dialect, () => {
      const drops: (() => Promise<void>)[] = [];
      afterEach(async () => {
        for (const drop of drops.splice(0)) await drop();
      });
      body(async () => {
        const t = await createTestDatabase(dialect);
        drops.push(t.drop);
        return t;
      }, dialect);
    });
  }
}
