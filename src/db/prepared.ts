/**
 * A query compiled once per database and run with new parameters: for the hottest read paths,
 * where building and compiling the Kysely query cost more than running it.
 *
 * On SQLite, outside a transaction, the compiled SQL runs as one better-sqlite3 statement kept
 * for the life of the connection: Kysely's executor (connection mutex, result plugins, promise
 * chain) costs ~15–20 µs a query, more than a point lookup itself, and a page makes several.
 * The SQL is Kysely's own compilation, so the two paths cannot drift apart; rows get the same
 * camelCase keys the CamelCasePlugin would give. On PostgreSQL, and inside transactions, the
 * query goes through Kysely as usual.
 */
import type { CompiledQuery, Compilable, Kysely } from 'kysely';
import type { Database as SqliteHandle, Statement } from 'better-sqlite3';
import type { Database } from './schema.js';

/** The SQLite handle behind a Kysely instance, registered by openDatabase. */
export const sqliteHandles = new WeakMap<Kysely<Database>, SqliteHandle>();

const camel = (column: string) => column.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

/** Compiled SQL kept as a better-sqlite3 statement on one handle (db/compiled.ts shares it). */
export interface SqliteRun {
  statement: Statement;
  /** Column keys of a statement that returns rows; null for one that does not. */
  keys: string[] | null;
}

/** The kept statement for `sql` on `sqlite`, prepared on first use. */
export function sqliteRun(cache: WeakMap<SqliteHandle, SqliteRun>, sqlite: SqliteHandle, sql: string): SqliteRun {
  let run = cache.get(sqlite);
  if (!run) {
    const statement = sqlite.prepare(sql);
    run = { statement, keys: statement.reader ? statement.columns().map((c) => camel(c.name)) : null };
    if (run.keys) statement.raw(true);
    cache.set(sqlite, run);
  }
  return run;
}

/** Runs a kept statement: its rows with the camelCase keys Kysely's plugin would give, or none. */
export function runSqlite<Row>({ statement, keys }: SqliteRun, params: unknown[]): Row[] {
  if (!keys) {
    statement.run(...params);
    return [];
  }
  return (statement.all(...params) as unknown[][]).map((values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) row[keys[i]!] = values[i];
    return row as Row;
  });
}

export function prepared<Row, Params extends unknown[]>(
  build: (db: Kysely<Database>) => Compilable<Row>,
): (db: Kysely<Database>, ...params: Params) => Promise<Row[]> {
  const compiled = new WeakMap<Kysely<Database>, CompiledQuery<Row>>();
  const raw = new WeakMap<SqliteHandle, SqliteRun>();
  return async (db, ...params) => {
    let query = compiled.get(db);
    if (!query) {
      query = build(db).compile();
      compiled.set(db, query);
    }
    const sqlite = db.isTransaction ? undefined : sqliteHandles.get(db);
    if (sqlite) return runSqlite<Row>(sqliteRun(raw, sqlite, query.sql), params);
    const { rows } = await db.executeQuery<Row>({ ...query, parameters: params });
    return rows;
  };
}
