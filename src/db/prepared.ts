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

export function prepared<Row, Params extends unknown[]>(
  build: (db: Kysely<Database>) => Compilable<Row>,
): (db: Kysely<Database>, ...params: Params) => Promise<Row[]> {
  const compiled = new WeakMap<Kysely<Database>, CompiledQuery<Row>>();
  const raw = new WeakMap<SqliteHandle, { statement: Statement; keys: string[] }>();
  return async (db, ...params) => {
    let query = compiled.get(db);
    if (!query) {
      query = build(db).compile();
      compiled.set(db, query);
    }
    const sqlite = db.isTransaction ? undefined : sqliteHandles.get(db);
    if (sqlite) {
      let run = raw.get(sqlite);
      if (!run) {
        const statement = sqlite.prepare(query.sql).raw(true);
        run = { statement, keys: statement.columns().map((c) => camel(c.name)) };
        raw.set(sqlite, run);
      }
      const { keys } = run;
      return (run.statement.all(...params) as unknown[][]).map((values) => {
        const row: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) row[keys[i]!] = values[i];
        return row as Row;
      });
    }
    const { rows } = await db.executeQuery<Row>({ ...query, parameters: params });
    return rows;
  };
}
