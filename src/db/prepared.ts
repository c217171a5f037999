/**
 * A query compiled once per database and run with new parameters: for the hottest read paths,
 * where building and compiling the Kysely query cost more than running it. The result still
 * passes through Kysely's plugins (camelCase), so rows look like any other query's.
 */
import type { CompiledQuery, Compilable, Kysely } from 'kysely';
import type { Database } from './schema.js';

export function prepared<Row, Params extends unknown[]>(
  build: (db: Kysely<Database>) => Compilable<Row>,
): (db: Kysely<Database>, ...params: Params) => Promise<Row[]> {
  const compiled = new WeakMap<Kysely<Database>, CompiledQuery<Row>>();
  return async (db, ...params) => {
    let query = compiled.get(db);
    if (!query) {
      query = build(db).compile();
      compiled.set(db, query);
    }
    const { rows } = await db.executeQuery<Row>({ ...query, parameters: params });
    return rows;
  };
}
