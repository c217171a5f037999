import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { startSite } from '../../test/site.js';
import { makeItem } from '../../test/factories.js';
import { exportText } from '../../test/export.js';
import type { Db } from '../db/connection.js';
import { importParsedItem } from '../import/import.service.js';
import { importJson } from '../interchange/interchange.import.js';
import { RENDERER, renderReview } from './reviews.render.js';
import { renderPendingReviews } from './reviews.service.js';

const BODY = 'The *first* act works.\n\nThen ||the mentor dies|| and it falls apart.\n\n::: spoiler The end\nNobody wins.\n:::\n';

const renders = (db: Db) => db.kysely.selectFrom('reviewRenders').selectAll().orderBy('reviewId').execute();

forEachDatabase((fresh) => {
  it('stores a review’s rendering when the review is written, and a new one when its body changes', async () => {
    const { db } = await fresh();
    const item = makeItem({ title: 'Mushishi', year: 2005 }, { body: BODY, hasSpoilers: true });
    const { review } = await importParsedItem(db, item, { author: 'Aiko Tanaka' });
    const [stored] = await renders(db);
    expect(stored).toEqual({ reviewId: review.id, renderer: RENDERER, ...renderReview(BODY) });
    expect(stored!.textStart).toBe(stored!.bodyText);
    expect(stored!.bodyText).toBe('The first act works. Then [spoiler] and it falls apart. [spoiler]');

    const changed = `${BODY}\nA last word on the **music**.`;
    await importParsedItem(db, { ...item, review: { ...item.review, body: changed } }, { author: 'Aiko Tanaka' });
    expect(await renders(db)).toEqual([{ reviewId: review.id, renderer: RENDERER, ...renderReview(changed) }]);
    const { get } = await startSite(db);
    expect((await get(`/reviews/${review.id}`)).doc.querySelector('.prose strong')?.text).toBe('music');
  });

  it('drops a stored rendering whatever changes the body, so no page shows an old text', async () => {
    const { db } = await fresh();
    const { review } = await importParsedItem(db, makeItem({}, { body: 'Before.' }), { author: 'Aiko Tanaka' });
    await db.kysely.updateTable('reviews').set({ body: 'After, written *elsewhere*.' }).where('id', '=', review.id).execute();
    expect(await renders(db)).toEqual([]);
    const { get } = await startSite(db);
    const page = await get(`/reviews/${review.id}`);
    expect(page.doc.querySelector('.prose')?.text.trim()).toBe('After, written elsewhere.');
    expect(page.doc.querySelector('meta[name=description]')?.getAttribute('content')).toContain('After, written elsewhere.');
  });

  it('shows restored reviews before they are rendered, and renders them in the background pass', async () => {
    const { db: source } = await fresh();
    // Longer than the stored start of the text, so excerpts are cut from it.
    const long = (n: number) => `Review ${n}: ${'A sentence about pacing and *craft*. '.repeat(30)}${BODY}`;
    for (const n of [1, 2, 3]) await importParsedItem(source, makeItem({ title: 'Work', year: 2000 + n }, { body: long(n), hasSpoilers: true }), { author: `Author ${n}` });
    const document = await exportText(source);

    const { db } = await fresh();
    await importJson(db, Readable.from([document]));
    expect(await renders(db)).toEqual([]);
    const { get } = await startSite(db);
    const id = (await db.kysely.selectFrom('reviews').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
    const before = await get(`/reviews/${id}`);
    expect(before.doc.querySelector('.prose .spoiler-text')?.text).toBe('the mentor dies');
    const slug = (await db.kysely.selectFrom('works').select('slug').orderBy('id').executeTakeFirstOrThrow()).slug;
    const workBefore = await get(`/works/${slug}`);
    expect(workBefore.doc.querySelector('.review-card')?.text).toContain('Review 1: A sentence about pacing and craft.');

    const progress: number[] = [];
    expect(await renderPendingReviews(db, { batchSize: 2, onProgress: (n) => progress.push(n) })).toBe(3);
    expect(progress).toEqual([2, 3]);
    const stored = await renders(db);
    expect(stored.map((r) => r.renderer)).toEqual([RENDERER, RENDERER, RENDERER]);
    expect(stored[0]!.bodyHtml).toBe(renderReview(long(1)).bodyHtml);
    expect(stored[0]!.textStart.length).toBe(500);
    // The same pages either way, and nothing left to do on a second pass.
    expect((await get(`/reviews/${id}`)).body).toBe(before.body);
    expect((await get(`/works/${slug}`)).body).toBe(workBefore.body);
    expect(await renderPendingReviews(db)).toBe(0);
  });

  it('renders again what an older renderer made', async () => {
    const { db } = await fresh();
    const { review } = await importParsedItem(db, makeItem({}, { body: 'Plain *words*.' }), { author: 'Aiko Tanaka' });
    await db.kysely.updateTable('reviewRenders').set({ renderer: RENDERER - 1, bodyHtml: '<p>old</p>', bodyText: 'old' }).execute();
    const { get } = await startSite(db);
    expect((await get(`/reviews/${review.id}`)).doc.querySelector('.prose')?.text.trim()).toBe('Plain words.');
    expect(await renderPendingReviews(db)).toBe(1);
    expect((await renders(db))[0]).toMatchObject({ renderer: RENDERER, bodyHtml: '<p>Plain <em>words</em>.</p>\n' });
  });

  it('keeps the excerpt listings read in the review row in step with its rendering', async () => {
    const { db } = await fresh();
    const { review, work } = await importParsedItem(db, makeItem({ title: 'Kaiba', year: 2008 }, { body: 'First *words*.' }), { author: 'Aiko Tanaka' });
    const excerpt = () => db.kysely.selectFrom('reviews').select(['textStart', 'textRenderer']).where('id', '=', review.id).executeTakeFirstOrThrow();
    const { get } = await startSite(db);
    const card = async () => (await get(`/works/${work.slug}`)).doc.querySelector('.review-card-excerpt')?.text;
    expect(await excerpt()).toEqual({ textStart: 'First words.', textRenderer: RENDERER });
    expect(await card()).toBe('First words.');

    // A body written behind the application's back drops the rendering, and with it the copy.
    await db.kysely.updateTable('reviews').set({ body: 'Second *thoughts*.' }).where('id', '=', review.id).execute();
    expect(await excerpt()).toEqual({ textStart: null, textRenderer: null });
    expect(await card()).toBe('Second thoughts.');

    // An older renderer's excerpt is not shown; the background pass brings the copy up to date.
    expect(await renderPendingReviews(db)).toBe(1);
    expect(await excerpt()).toEqual({ textStart: 'Second thoughts.', textRenderer: RENDERER });
    await db.kysely.updateTable('reviewRenders').set({ renderer: RENDERER - 1, textStart: 'stale' }).execute();
    expect(await excerpt()).toEqual({ textStart: 'stale', textRenderer: RENDERER - 1 });
    expect(await card()).toBe('Second thoughts.');
    expect(await renderPendingReviews(db)).toBe(1);
    expect(await excerpt()).toEqual({ textStart: 'Second thoughts.', textRenderer: RENDERER });
  });
});
