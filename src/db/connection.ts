/**
 * Opens the database named by DATABASE_URL: a `postgres://` URL, or a SQLite file path.
 * Everything above this file speaks Kysely and does not care which one it got, except the
 * search module, which has one native implementation per dialect.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type pg from 'pg';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrate.js';
import { sqliteHandles } from './prepared.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  /** For SQLite, the raw handle: the hot read paths use prepared statements directly. */
  sqlite?: SqliteDatabase.Database;
  close(): Promise<void>;
}

/**
 * A transaction that lost a race with another writer and stored nothing: SQLite's snapshot went
 * stale (or another connection held the lock), PostgreSQL could not serialise it. The derived-
 * data passes (works' lists, stored pages) run in such transactions and try again next pass.
 */
export function lostRace(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '40001' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY'));
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

// COUNT(*) and SUM() come back as int8, which pg hands over as strings by default.
// Our counts fit easily in a double, so parse them as numbers.
const pgTypes = (types: typeof pg.types) => ({
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return types.getTypeParser(oid, format as 'text');
  },
});

export interface OpenOptions {
  /** Apply pending migrations (the server and CLI do; a read-only tool might not). */
  migrate?: boolean;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** SQLite's page cache, in MB (SQLite's own default otherwise). */
  sqliteCacheMb?: number;
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Db> {
  let db: Db;
  if (isPostgresUrl(url)) {
    // Loaded only here: a command on SQLite does not pay for the PostgreSQL driver (~35 ms).
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types: pgTypes(pg.types) });
    pool.on('connect', (client) => keepPreparedStatements(client));
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
    db = { kysely, dialect: 'postgres', close: () => kysely.destroy() };
  } else {
    const file = url.startsWith('file:') ? url.slice('file:'.length) : url;
    if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
    const sqlite = new SqliteDatabase(file);
    // WAL lets readers run beside the writer; synchronous=NORMAL in WAL mode keeps every
    // committed transaction across a crash of the process (only a power loss can cost the
    // last commits), which is the durability the product promises.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // SQLite's default page cache holds a few MB; a server reading a large catalog at random keeps the
    // works, names and index pages it needs over and over in a bigger one (set by `serve`).
    if (options.sqliteCacheMb) sqlite.pragma(`cache_size = -${Math.round(options.sqliteCacheMb * 1024)}`);
    const kysely = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
      plugins: [new CamelCasePlugin()],
    });
    sqliteHandles.set(kysely, sqlite);
    db = { kysely, dialect: 'sqlite', sqlite, close: () => kysely.destroy() };
  }
  if (options.migrate ?? true) await migrateToLatest(db.kysely);
  return db;
}

/**
 * Statements with more parameters than this are batch statements (multi-row inserts, lookups
 * of a batch's keys): planned afresh each run, which costs little spread over a batch, and
 * which matters, as a plan kept from when a table was nearly empty (a sequential scan for a
 * 50-value `in` list) took 12 ms a run once the table had grown.
 */
const MAX_NAMED_PARAMETERS = 16;

/**
 * PostgreSQL plans an unnamed statement every time it runs, and for the point lookups and
 * single-row writes an import makes, planning took ten times longer than running (0.8 ms
 * against 0.07 ms for a work found by its MyAnimeList id), so the server, not the network, was
 * what an import waited on. Named statements are parsed and planned once per connection and
 * reused: each distinct SQL text with parameters gets a name on its connection, up to `size` of
 * them (a bound on what the server keeps per connection); texts beyond that, those without
 * parameters (migrations may hold several statements, which a named statement cannot) and
 * batch statements run unnamed as before. The SQL is the same; only how it travels changes.
 */
function keepPreparedStatements(client: pg.PoolClient, size = 1000) {
  const names = new Map<string, string>();
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0 && values.length <= MAX_NAMED_PARAMETERS && callback === undefined) {
      let name = names.get(config);
      if (name === undefined && names.size < size) {
        name = `kansou_${names.size}`;
        names.set(config, name);
      }
      if (name !== undefined) return query({ name, text: config, values });
    }
    return query(config, values, callback);
  }) as typeof client.query;
}

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs more than running a
 * point lookup (it was the largest single cost of `GET /api/v1/reviews/ID` and of restores).
 * better-sqlite3 statements are reusable, so keep the most recent ones by their SQL text.
 * (Kysely never streams from them here, which is the one case where sharing would clash.)
 */
function withStatementCache(sqlite: SqliteDatabase.Database, size = 500) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement) return statement;
      statement = sqlite.prepare(sql);
      if (cache.size >= size) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
      return statement;
    },
  };
}
