/**
 * Migrations that change data, run again on data written the way the version before them
 * wrote it.
 */
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import { importParsedItem } from '../import/import.service.js';
import { searchIndexFor } from '../search/search.js';
import * as reviewsWithoutText from './migrations/2026-12-03T0900-reviews-without-text.js';

forEachDatabase((fresh) => {
  it('2026-12-03T0900-reviews-without-text takes out the search documents of scores without words', async () => {
    const { db } = await fresh();
    const search = searchIndexFor(db);
    const scoreOnly = await importParsedItem(db, makeItem({ title: 'Quiet Harbour' }, { body: '', score: { value: 8, max: 10 } }), { author: 'A' });
    const written = await importParsedItem(db, makeItem({ title: 'Loud Harbour' }, { body: 'A harbour full of noise.' }), { author: 'A' });
    const headlineOnly = await importParsedItem(db, makeItem({ title: 'Still Harbour' }, { body: '', headline: 'Calm' }), { author: 'A' });
    // As the version before indexed a score alone: under its work's title.
    await search.put(db.kysely, 'reviews', [{ id: scoreOnly.review.id, document: 'quiet harbour' }]);
    const ids = [scoreOnly, written, headlineOnly].map((r) => r.review.id);
    expect([...(await search.documents(db.kysely, 'reviews', ids)).keys()].sort()).toEqual([...ids].sort());

    // As the migrator runs it: on a database of no particular schema.
    await reviewsWithoutText.up(db.kysely as unknown as Kysely<unknown>);
    expect([...(await search.documents(db.kysely, 'reviews', ids)).keys()].sort()).toEqual([written.review.id, headlineOnly.review.id].sort());
  });
});
