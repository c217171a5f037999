/**
 * Full-text search behind one interface, with the database's own engine underneath:
 * FTS5 on SQLite, tsvector + GIN on PostgreSQL. Both index the same folded documents
 * (see shared/text.ts), so `okouchi` finds `Ōkouchi` and `ＨＥＲＯ` finds `Hero` on either.
 *
 * The search page (search.service.ts) does not ask the engine to rank. Ranking a common word
 * over a million reviews is the slow part: FTS5's bm25() first counts every document holding
 * each term (20+ ms for a word in two thirds of the reviews, and its IDF is ~0 for such a
 * word anyway), then scores and sorts all of them (p99 540 ms measured). Instead:
 *
 * - Candidates are *bounded*: the newest N matches (`order by rowid desc limit N` on SQLite,
 *   `order by id desc limit N` on PostgreSQL), which the engine produces by walking the
 *   posting lists backwards and stopping after N. Cost grows with N, not with the match count.
 * - Those N documents come back with the ids and are ranked in JavaScript: a BM25-style term
 *   score (saturated term frequency, length-normalised), plus boosts for what the engine
 *   cannot see — a work whose title (not a credit) matches, a review whose headline matches.
 * - Exact and leading title matches are looked up separately in the work_titles index, so a
 *   work called exactly what was typed is never lost to the bound.
 * - Only the last word is a prefix, only over works (small documents) and only from three
 *   letters: a prefix over review text merges the posting lists of every word it starts
 *   (`anim*` costs 30 ms before the first row), so reviews match whole words.
 * - Facet counts and filters run over the bounded candidates, not over every match.
 *
 * The trade-off: the review results are the best of the newest N matching reviews, not of all
 * of them, and facet counts are counts within those candidates. For a common word that means
 * "relevant and recent" rather than "most relevant ever"; for a rare word (a name, a title
 * word) N covers every match and nothing is lost. Both engines run the same plan, so both
 * return the same results.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Db } from '../db/connection.js';
import { foldWords } from '../shared/text.js';
import { compiled, type WriteContext } from '../db/compiled.js';

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
  /**
   * Applies `writes` in order, through compiled statements: for bulk writers, which queue their
   * documents during a batch (`WriteContext.searchWrites`) and write them once the batch's items
   * are done. FTS5 writes the index data it holds in memory to disk at every savepoint, so
   * documents written between per-item savepoints had cost a new index segment per item.
   */
  writeIn(w: WriteContext, writes: SearchWrite[]): Promise<void>;
  /** Ids best match first. `terms` come from `queryTerms`; an empty list finds nothing. */
  query(db: Executor, entity: SearchEntity, terms: string[], limit: number, offset: number): Promise<SearchHit[]>;
  /**
   * A subquery of the newest `limit` documents matching every word of `query`, as rows of
   * `id` (and `document` when asked): bounded, so the engine stops after `limit` matches.
   * The last word is a prefix only when `prefix` is set and `query.prefix` allows it.
   */
  newest(entity: SearchEntity, query: ParsedQuery, options: NewestOptions): RawBuilder<{ id: number; document?: string }>;
  /**
   * Whether fewer than `threshold` documents match: then `newest` is asked to read every match
   * through the word index (`few`) rather than to walk ids from the newest down, which on
   * PostgreSQL reads the whole table for a rare word (3.3 s for a family name at 1M reviews).
   */
  hasFewMatches(db: Executor, entity: SearchEntity, query: ParsedQuery, prefix: boolean, threshold: number): Promise<boolean>;
  /** The stored documents of `ids`. */
  documents(db: Executor, entity: SearchEntity, ids: number[]): Promise<Map<number, string>>;
}

/** A document to set (`document`) or remove (null). `isNew`: nothing can be indexed under the id yet (a row created in this transaction). */
export interface SearchWrite {
  entity: SearchEntity;
  id: number;
  document: string | null;
  isNew: boolean;
}

/** The last write of each document, and whether anything may be indexed under its id already. */
function coalesce(writes: SearchWrite[]): SearchWrite[] {
  const last = new Map<string, SearchWrite>();
  for (const write of writes) {
    const key = `${write.entity}:${write.id}`;
    const earlier = last.get(key);
    last.set(key, earlier ? { ...write, isNew: earlier.isNew } : write);
  }
  return [...last.values()];
}

export interface NewestOptions {
  limit: number;
  prefix: boolean;
  document?: boolean;
  /** Few documents match (see `hasFewMatches`): read them all through the word index. */
  few?: boolean;
}

/** What the search page searches for: folded words, and whether the last one may be a prefix. */
export interface ParsedQuery {
  words: string[];
  /** The last word was typed to the end of the query and is long enough to be a useful prefix. */
  prefix: boolean;
}

const MAX_WORDS = 8;
const MAX_WORD_LENGTH = 60;
// Prefixes of one or two letters expand to thousands of terms and cost more than they find.
const MIN_PREFIX = 3;

/**
 * Folds a typed query into words. Everything that is not a letter or digit only separates
 * words (foldWords), so quotes, `*`, `NEAR(`, parentheses and control characters never reach
 * the engine's query syntax; words are quoted there anyway. Search syntax words (`AND`, `OR`,
 * `NOT`) are words like any other.
 */
export function parseQuery(q: string): ParsedQuery {
  const text = q.slice(0, 1000);
  const typed = foldWords(text).split(' ').filter(Boolean);
  const words = [...new Set(typed.map((w) => w.slice(0, MAX_WORD_LENGTH)))].slice(0, MAX_WORDS);
  const last = words.at(-1);
  // "hero mas" → mas* ; "hero mas " or "mas." → the word was finished.
  const prefix = last !== undefined && last === typed.at(-1) && last.length >= MIN_PREFIX && /[\p{L}\p{N}]$/u.test(text);
  return { words, prefix };
}

/** The FTS5 MATCH expression: every word quoted, the last one a prefix when allowed. */
export function ftsMatch(query: ParsedQuery, prefix: boolean): string {
  return query.words.map((w, i) => `"${w.replace(/"/g, '')}"${prefix && query.prefix && i === query.words.length - 1 ? '*' : ''}`).join(' ');
}

/** The PostgreSQL tsquery text (for `to_tsquery('simple', …)`): every word quoted, the last one a prefix when allowed. */
export function tsQueryText(query: ParsedQuery, prefix: boolean): string {
  return query.words.map((w, i) => `'${w.replace(/['\\]/g, '')}'${prefix && query.prefix && i === query.words.length - 1 ? ':*' : ''}`).join(' & ');
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

/**
 * A list of ids as one bound parameter (`x in ${idList(…)}`). A literal `in (?, ?, …)` makes
 * a new SQL text, so a new prepared statement and a new compile, for every length of list.
 */
export function idList(dialect: Db['dialect'], ids: number[]): RawBuilder<unknown> {
  return dialect === 'postgres' ? sql`(select unnest(${ids}::int[]))` : sql`(select value from json_each(${JSON.stringify(ids)}))`;
}

/** One compiled statement per entity, from `text(table)`: for the write paths of bulk imports. */
function perEntity<P extends unknown[]>(text: (entity: SearchEntity) => RawBuilder<unknown>) {
  const make = (entity: SearchEntity) => compiled<never, P>((db) => ({ compile: () => text(entity).compile(db) as never }));
  return { works: make('works'), reviews: make('reviews') };
}

const sqliteInsert = perEntity<[number, string]>((e) => sql`insert into ${sql.table(table(e))} (rowid, document) values (${0}, ${''})`);
const sqliteDelete = perEntity<[number]>((e) => sql`delete from ${sql.table(table(e))} where rowid = ${0}`);

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
  async writeIn(w, writes) {
    for (const { entity, id, document, isNew } of coalesce(writes)) {
      if (!isNew) await sqliteDelete[entity].all(w, id);
      if (document !== null) await sqliteInsert[entity].all(w, id, document);
    }
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
  // FTS5 walks its posting lists from the newest rowid whether a word is rare or common.
  hasFewMatches: async () => false,
  newest(entity, query, { limit, prefix, document }) {
    const t = sql.table(table(entity));
    return sql<{ id: number; document?: string }>`select rowid as id${document ? sql`, document` : sql``} from ${t} where ${t} match ${ftsMatch(query, prefix)} order by rowid desc limit ${limit}`;
  },
  async documents(db, entity, ids) {
    if (ids.length === 0) return new Map();
    const { rows } = await sql<{ id: number; document: string }>`select rowid as id, document from ${sql.table(table(entity))} where rowid in ${idList('sqlite', ids)}`.execute(db);
    return new Map(rows.map((r) => [r.id, r.document]));
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
  // A statement per entity and kind of write, not per document: each is a round trip here.
  async writeIn(w, writes) {
    const all = coalesce(writes);
    for (const entity of ['works', 'reviews'] as const) {
      const mine = all.filter((x) => x.entity === entity);
      const gone = mine.filter((x) => x.document === null).map((x) => x.id);
      if (gone.length) await sql`delete from ${sql.table(table(entity))} where ${sql.ref(pgKey(entity))} in ${idList('postgres', gone)}`.execute(w.trx);
      const docs = mine.flatMap((x) => (x.document === null ? [] : [{ id: x.id, document: x.document }]));
      if (docs.length) await postgresIndex.put(w.trx, entity, docs);
    }
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
  async hasFewMatches(db, entity, query, prefix, threshold) {
    const { rows } = await sql<{ n: number }>`select count(*) as n from (select 1 from ${sql.table(table(entity))}
      where tsv @@ to_tsquery('simple', ${tsQueryText(query, prefix)}) limit ${threshold}) m`.execute(db);
    return Number(rows[0]?.n ?? 0) < threshold;
  },
  newest(entity, query, { limit, prefix, document, few }) {
    const key = sql.ref(pgKey(entity));
    const columns = sql`${key} as id${document ? sql`, document` : sql``}`;
    const match = sql`tsv @@ to_tsquery('simple', ${tsQueryText(query, prefix)})`;
    // `offset 0` keeps the planner from merging the inner query into the ordered outer one, so
    // the matches come from the GIN index (a bitmap), however many the statistics guess.
    if (few) return sql<{ id: number; document?: string }>`select * from (select ${columns} from ${sql.table(table(entity))} where ${match} offset 0) m order by id desc limit ${limit}`;
    return sql<{ id: number; document?: string }>`select ${columns} from ${sql.table(table(entity))} where ${match} order by ${key} desc limit ${limit}`;
  },
  async documents(db, entity, ids) {
    if (ids.length === 0) return new Map();
    const key = sql.ref(pgKey(entity));
    const { rows } = await sql<{ id: number; document: string }>`select ${key} as id, document from ${sql.table(table(entity))} where ${key} in ${idList('postgres', ids)}`.execute(db);
    return new Map(rows.map((r) => [r.id, r.document]));
  },
};

export function searchIndexFor(db: Pick<Db, 'dialect'>): SearchIndex {
  return db.dialect === 'postgres' ? postgresIndex : sqliteIndex;
}
