/**
 * Statements compiled once and run many times inside a write transaction: for bulk writers (the
 * review-file import), where building and compiling each Kysely query (~18 µs) cost more than
 * SQLite took to run it. `db/prepared.ts` does the same for reads outside transactions.
 *
 * A `WriteContext` is one open Kysely transaction. On SQLite it also carries the raw
 * better-sqlite3 handle, and statements run as kept better-sqlite3 statements on it: SQLite has
 * one connection, the transaction holds it (Kysely's connection mutex is taken for the whole
 * transaction), so a statement run on the handle is part of that transaction like any other,
 * savepoints included. On PostgreSQL the compiled query runs through the transaction's own
 * connection, with the new parameters. The SQL is Kysely's own compilation either way, so the
 * two paths cannot drift apart; rows get the camelCase keys the CamelCasePlugin would give.
 */
import type { Compilable, CompiledQuery, Kysely, Transaction } from 'kysely';
import type { Database as SqliteHandle } from 'better-sqlite3';
import { runSqlite, sqliteRun, type SqliteRun } from './prepared.js';
import type { DialectName } from './connection.js';
import type { Database } from './schema.js';
import type { SearchWrite } from '../search/search.js';

export interface WriteContext {
  trx: Transaction<Database>;
  dialect: DialectName;
  /** SQLite only: the handle the transaction runs on. */
  sqlite?: SqliteHandle;
  /** Lookups remembered from item to item (see WriteMemo). */
  memo: WriteMemo;
  /**
   * Search documents to write when the batch's items are done (see SearchIndex.writeIn). The
   * writer of a batch drops what a rolled-back item had queued.
   */
  searchWrites: SearchWrite[];
}

export interface CompiledStatement<Row, Params extends unknown[]> {
  /** The rows, camelCased. */
  all(w: WriteContext, ...params: Params): Promise<Row[]>;
  first(w: WriteContext, ...params: Params): Promise<Row | undefined>;
}

/**
 * A statement built once per dialect by `build` (with placeholder values) and run with
 * `params` in the order the compiled SQL binds them.
 */
export function compiled<Row, Params extends unknown[]>(build: (db: Kysely<Database>) => Compilable<Row>): CompiledStatement<Row, Params> {
  const byDialect = new Map<DialectName, CompiledQuery<Row>>();
  const raw = new WeakMap<SqliteHandle, SqliteRun>();
  const all = async (w: WriteContext, ...params: Params): Promise<Row[]> => {
    let query = byDialect.get(w.dialect);
    if (!query) {
      query = build(w.trx).compile();
      byDialect.set(w.dialect, query);
    }
    if (w.sqlite) return runSqlite<Row>(sqliteRun(raw, w.sqlite, query.sql), params);
    const { rows } = await w.trx.executeQuery<Row>({ ...query, parameters: params });
    return rows;
  };
  return { all, first: async (w, ...params) => (await all(w, ...params))[0] };
}

/**
 * One compiled statement per number of rows, for multi-row inserts (`build(db, n)` writes `n`
 * rows). Parameters are the rows' values, row after row.
 */
export function compiledRows<Row>(build: (db: Kysely<Database>, rows: number) => Compilable<Row>): (rows: number) => CompiledStatement<Row, unknown[]> {
  const byCount = new Map<number, CompiledStatement<Row, unknown[]>>();
  return (rows) => {
    let statement = byCount.get(rows);
    if (!statement) {
      statement = compiled<Row, unknown[]>((db) => build(db, rows));
      byCount.set(rows, statement);
    }
    return statement;
  };
}

/** Rows per multi-row statement of a bulk write: few statement shapes, no parameter limit near. */
export const BULK_ROWS = 50;

/** Runs `write` on `rows` a `BULK_ROWS` chunk at a time, gathering what it returns. */
export async function inChunks<T, R>(rows: T[], write: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += BULK_ROWS) out.push(...(await write(rows.slice(i, i + BULK_ROWS))));
  return out;
}

/**
 * Values looked up during a write transaction (the id of a person, of the author…) that later
 * items can reuse, with savepoints in mind: what an item added is forgotten if that item is
 * rolled back, and what a transaction added is forgotten if the transaction is. What is kept
 * after a commit stays valid: these rows are never deleted or renamed by the application.
 */
export class WriteMemo {
  private readonly values = new Map<string, unknown>();
  private item: string[] = [];
  private transaction: string[] = [];

  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }

  set(key: string, value: unknown): void {
    if (!this.values.has(key)) this.item.push(key);
    this.values.set(key, value);
  }

  /** The item's savepoint was released: its values belong to the transaction now. */
  itemKept(): void {
    this.transaction.push(...this.item);
    this.item = [];
  }

  /** The item's savepoint was rolled back. */
  itemUndone(): void {
    for (const key of this.item) this.values.delete(key);
    this.item = [];
  }

  committed(): void {
    this.itemKept();
    this.transaction = [];
  }

  rolledBack(): void {
    this.itemUndone();
    for (const key of this.transaction) this.values.delete(key);
    this.transaction = [];
  }
}
