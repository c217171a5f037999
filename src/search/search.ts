/**
 * Full-text search behind one interface, with the database's own engine underneath:
 * FTS5 on SQLite, tsvector + GIN on PostgreSQL. Both index the same folded documents
 * (see shared/text.ts), so `okouchi` finds `Ōkouchi` and `ＨＥＲＯ` finds `Hero` on either.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Db } from '../db/connection.js';
import { foldWords } from '../shared/text.js';

export type SearchEntity = 'works' | 'reviews';
type Executor = Kysely<Database> | Transaction<Database>;

export interface SearchHit {
  id: number;
  rank: number;
}

export interface SearchIndex {
  /** Sets (or replaces) the documents of works or reviews. */
  put(trx: Executor, entity: SearchEntity, docs: { id: number; document: string }[]): Promise<void>;
  remove(trx: Executor, entity: SearchEntity, id: number): Promise<void>;
  /** Ids best match first. `terms` come from `queryTerms`; an empty list finds nothing. */
  query(db: Executor, entity: SearchEntity, terms: string[], limit: number, offset: number): Promise<SearchHit[]>;
}

/** The words of a query, folded; each is matched as a prefix (`hero mas` finds `Hero ≠ Mask`). */
export function queryTerms(q: string): string[] {
  const words = foldWords(q).split(' ').filter(Boolean);
  return [...new Set(words)].slice(0, 12);
}

/** The folded text stored for a document. */
export function searchDocument(parts: (string | null | undefined)[]): string {
  return foldWords(parts.filter(Boolean).join(' '));
}

const table = (entity: SearchEntity) => `${entity}_search`;

const sqliteIndex: SearchIndex = {
  async put(trx, entity, docs) {
    for (let i = 0; i < docs.length; i += 400) {
      const chunk = docs.slice(i, i + 400);
      await sql`delete from ${sql.table(table(entity))} where rowid in (${sql.join(chunk.map((d) => d.id))})`.execute(trx);
      await sql`insert into ${sql.table(table(entity))} (rowid, document) values ${sql.join(chunk.map((d) => sql`(${d.id}, ${d.document})`))}`.execute(trx);
    }
  },
  async remove(trx, entity, id) {
    await sql`delete from ${sql.table(table(entity))} where rowid = ${id}`.execute(trx);
  },
  async query(db, entity, terms, limit, offset) {
    if (terms.length === 0) return [];
    // Terms are letters and digits only (foldWords), quoted anyway so FTS5 syntax never leaks in.
    const match = terms.map((t) => `"${t}"*`).join(' ');
    const { rows } = await sql<SearchHit>`
      select rowid as id, bm25(${sql.table(table(entity))}) as rank
      from ${sql.table(table(entity))} where ${sql.table(table(entity))} match ${match}
      order by rank, rowid limit ${limit} offset ${offset}`.execute(db);
    return rows;
  },
};

const pgKey = (entity: SearchEntity) => (entity === 'works' ? 'work_id' : 'review_id');

const postgresIndex: SearchIndex = {
  async put(trx, entity, docs) {
    for (let i = 0; i < docs.length; i += 400) {
      const chunk = docs.slice(i, i + 400);
      await sql`insert into ${sql.table(table(entity))} (${sql.ref(pgKey(entity))}, document)
        values ${sql.join(chunk.map((d) => sql`(${d.id}, ${d.document})`))}
        on conflict (${sql.ref(pgKey(entity))}) do update set document = excluded.document`.execute(trx);
    }
  },
  async remove(trx, entity, id) {
    await sql`delete from ${sql.table(table(entity))} where ${sql.ref(pgKey(entity))} = ${id}`.execute(trx);
  },
  async query(db, entity, terms, limit, offset) {
    if (terms.length === 0) return [];
    const tsquery = terms.map((t) => `${t.replace(/'/g, '')}:*`).join(' & ');
    const key = sql.ref(pgKey(entity));
    const { rows } = await sql<SearchHit>`
      select ${key} as id, -ts_rank(tsv, q) as rank
      from ${sql.table(table(entity))}, to_tsquery('simple', ${tsquery}) q
      where tsv @@ q order by rank, ${key} limit ${limit} offset ${offset}`.execute(db);
    return rows;
  },
};

export function searchIndexFor(db: Pick<Db, 'dialect'>): SearchIndex {
  return db.dialect === 'postgres' ? postgresIndex : sqliteIndex;
}
