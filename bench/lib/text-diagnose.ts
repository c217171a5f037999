/**
 * Where the time of a plain-text import goes: reading + parsing + rendering (what the worker
 * thread does in `importTextFiles`) vs writing (what the main thread does), and per SQL
 * statement (run time and count per file), measured by wrapping the better-sqlite3 statements
 * the app prepares. Everything runs on this thread, one step after the other, in batches as
 * importTextFiles writes them.
 *
 *   npx tsx bench/lib/text-diagnose.ts [files=5000] [batch=100]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import { openDatabase } from '../../src/db/connection.js';
import { WriteMemo } from '../../src/db/compiled.js';
import { importParsedItems } from '../../src/import/import.service.js';
import { prepareFile } from '../../src/import/prepare.js';
import { writeReviewFiles } from './textfiles.js';

const count = Number(process.argv[2] ?? 5000);
const batchSize = Number(process.argv[3] ?? 100);
const tmp = mkdtempSync(join(tmpdir(), 'kansou-text-diagnose-'));
writeReviewFiles(join(tmp, 'r'), count);
const db = await openDatabase(join(tmp, 'k.db'));
const sqlite = db.sqlite!;

const perSql = new Map<string, { n: number; ms: number }>();
let prepares = 0;
let prepareMs = 0;
const originalPrepare = sqlite.prepare.bind(sqlite);
(sqlite as unknown as { prepare: (sql: string) => Statement }).prepare = (sql: string) => {
  prepares++;
  const t0 = performance.now();
  const statement = originalPrepare(sql);
  prepareMs += performance.now() - t0;
  const key = sql
    .replace(/\s+/g, ' ')
    .replace(/\?(, \?)+/g, '?…')
    .replace(/\(\?…\)(, \(\?…\))+/g, '(?…)…')
    .slice(0, 140);
  for (const method of ['all', 'get', 'run'] as const) {
    const original = (statement[method] as (...a: unknown[]) => unknown).bind(statement);
    (statement as unknown as Record<string, unknown>)[method] = (...a: unknown[]) => {
      const t1 = performance.now();
      try {
        return original(...a);
      } finally {
        const e = perSql.get(key) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += performance.now() - t1;
        perSql.set(key, e);
      }
    };
  }
  return statement;
};

const files = readdirSync(join(tmp, 'r'))
  .sort()
  .map((f) => join(tmp, 'r', f));
let readParse = 0;
let write = 0;
const memo = new WriteMemo();
const started = performance.now();
for (let i = 0; i < files.length; i += batchSize) {
  let t = performance.now();
  const prepared = files.slice(i, i + batchSize).map(prepareFile);
  readParse += performance.now() - t;
  t = performance.now();
  const ok = prepared.flatMap((p) => (p.error === undefined ? [p] : []));
  await importParsedItems(db, ok.map((p) => p.item), { author: 'Bench Author' }, { prepared: ok.map((p) => p.prepared), memo });
  write += performance.now() - t;
}
const total = performance.now() - started;
await db.close();
rmSync(tmp, { recursive: true, force: true });

const per = (ms: number) => `${((ms / count) * 1000).toFixed(0)} µs/file`;
const sqlMs = [...perSql.values()].reduce((a, b) => a + b.ms, 0);
console.log(`${count} files, batches of ${batchSize}: ${(count / (total / 1000)).toFixed(0)} files/s (${per(total)})`);
console.log(`  read + parse + render + fold (the worker's part)  ${per(readParse)}`);
console.log(`  write               ${per(write)}: SQLite running statements ${per(sqlMs)}, preparing ${prepares} statements ${per(prepareMs)}, the rest (Kysely, app code) ${per(write - sqlMs - prepareMs)}`);
console.log(`  statements per file ${([...perSql.values()].reduce((a, b) => a + b.n, 0) / count).toFixed(1)}; the costliest:`);
for (const [sql, v] of [...perSql.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) {
  console.log(`    ${per(v.ms).padStart(12)}  ${(v.n / count).toFixed(2).padStart(5)}/file  ${sql}`);
}
