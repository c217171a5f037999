/**
 * Keeps `works.lists_json` filled: each work's titles, ids, credits, studios, platforms and tags
 * in its own row, so that its page and its reviews' pages read one row instead of six lists.
 * Triggers clear the column whenever one of those lists or a name in them changes (see the
 * migration `2026-12-01T0900-stored-work-lists`); until it is filled again, pages read the
 * lists themselves, so a change shows at once either way.
 */
import { lostRace, type Db } from '../db/connection.js';
import { listWorksWithoutStoredLists, storeWorkLists } from './works.repository.js';

/**
 * Stores the lists of every work whose `lists_json` is empty, a batch per transaction, in id
 * order; returns how many it stored. Safe beside other writers and other servers: each batch
 * reads and writes in one transaction that fails instead of storing lists that changed
 * meanwhile. `pause` runs between batches (the server yields to requests there).
 */
export async function storePendingWorkLists(db: Db, options: { batchSize?: number; pause?: () => Promise<void>; signal?: AbortSignal } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 100;
  let after = 0;
  let stored = 0;
  while (!options.signal?.aborted) {
    const ids = await listWorksWithoutStoredLists(db.kysely, after, batchSize);
    if (ids.length === 0) break;
    const transaction = db.kysely.transaction();
    try {
      await (db.dialect === 'postgres' ? transaction.setIsolationLevel('repeatable read') : transaction).execute((trx) => storeWorkLists(trx, ids));
      stored += ids.length;
    } catch (error) {
      if (!lostRace(error)) throw error;
    }
    after = ids[ids.length - 1]!;
    await options.pause?.();
  }
  return stored;
}
