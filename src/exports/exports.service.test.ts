import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import type { Db } from '../db/connection.js';
import { parseCsvImport } from '../import/csv/csv.parse.js';
import { importParsedItem } from '../import/import.service.js';
import type { SourceEntry, SourceItem } from '../import/import.types.js';
import { parseMalExport } from '../import/mal/mal.parse.js';
import { parsePlainText } from '../import/plaintext/plaintext.parser.js';
import { exportCsv, exportMalXml, exportMarkdown } from './exports.service.js';
import { collect, insertEntry, insertWork, makeItem, seedRichReview, unzip } from './fixtures/seed.js';

const as = (author: string) => ({ author });

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function zipPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kansou-export-'));
  dirs.push(dir);
  return join(dir, 'export.zip');
}

/** What a writer puts in `out`, and its result; `out` must still be open afterwards. */
async function capture<T>(write: (out: PassThrough) => Promise<T>): Promise<{ text: string; result: T }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const result = await write(out);
  expect(out.writableEnded).toBe(false);
  out.end();
  return { text: Buffer.concat(chunks).toString('utf8'), result };
}

function itemsOf(entries: SourceEntry[]): SourceItem[] {
  return entries.map((entry) => {
    if (!('item' in entry)) throw new Error(`not an item: ${JSON.stringify(entry)}`);
    return entry.item;
  });
}

async function seed(db: Db): Promise<void> {
  await seedRichReview(db);
  await importParsedItem(db, makeItem({ title: 'A Draft', externalIds: { mal: '1' } }, { status: 'draft', publishedAt: null }), as('Aiko Tanaka'));
  await importParsedItem(db, makeItem({ title: '=HYPERLINK("http://evil.example")', year: 2001 }, { body: 'No MAL id.' }), as('Aiko Tanaka'));
  await importParsedItem(db, makeItem({ title: 'Bens Pick', externalIds: { mal: '2' } }), as('Ben Ito'));
  await insertEntry(db, 'Aiko Tanaka', await insertWork(db, 'frieren', 'Frieren', { episodes: 28, mal: '52991' }), { status: 'watching', progress: 12 });
  await insertEntry(db, 'Aiko Tanaka', await insertWork(db, 'planned', 'Planned', { mal: '3' }), { status: 'plan_to_watch' });
}

forEachDatabase((fresh) => {
  it('exports CSV that the CSV importer reads back, drafts left out', async () => {
    const { db } = await fresh();
    await seed(db);
    const { text, result } = await capture((out) => exportCsv(db, out, as('aiko tanaka')));
    expect(result).toEqual({ written: 4 });
    const items = itemsOf(await collect(parseCsvImport(Readable.from([text]), 'export.csv')));
    expect(items.map((i) => i.work.title)).toEqual(['Hero ≠ Mask', '=HYPERLINK("http://evil.example")', 'Frieren', 'Planned']);
    expect(items[0]).toMatchObject({
      work: { year: 2018, episodes: 12, studios: ['Pierrot'], externalIds: { mal: '37521', anilist: '101348', imdb: 'tt9000001' } },
      review: { score: { value: 3.5, max: 5 }, headline: 'Masks all the way down', hasSpoilers: true, publishedAt: '2024-03-05' },
      entry: { status: 'completed', progress: 12, timesWatched: 2, tags: ['rewatch', 'favourite'] },
      sourceUrl: 'https://blog.example/2024/hero-mask',
    });
    expect(items[2]).toMatchObject({ review: null, entry: { status: 'watching', progress: 12 }, work: { episodes: 28 } });

    const all = await capture((out) => exportCsv(db, out, {}));
    expect(all.result).toEqual({ written: 5 });
  });

  it("exports one author's list as MyAnimeList XML, with the list's counts", async () => {
    const { db } = await fresh();
    await seed(db);
    const { text, result } = await capture((out) => exportMalXml(db, out, as('Aiko Tanaka')));
    // The review without a MyAnimeList id cannot be written; the draft is not on the list.
    expect(result).toEqual({ written: 3, skipped: 1, drafts: 1 });
    expect(text).not.toContain('A Draft');
    expect(text).toContain('<user_name>Aiko Tanaka</user_name>');
    expect(text).toContain('<user_total_anime>3</user_total_anime>');
    expect(text).toContain('<user_total_watching>1</user_total_watching>');
    expect(text).toContain('<user_total_completed>1</user_total_completed>');
    expect(text).toContain('<user_total_plantowatch>1</user_total_plantowatch>');
    const items = itemsOf(await collect(parseMalExport(Readable.from([Buffer.from(text)]))));
    expect(items.map((i) => [i.work.externalIds.mal, i.entry?.status])).toEqual([
      ['37521', 'completed'],
      ['52991', 'watching'],
      ['3', 'plan_to_watch'],
    ]);
    expect(items[0]!.review?.body).toContain('||the mask is the detective||');
  });

  it("keeps a draft's text and score out of a MyAnimeList export, and its list entry in", async () => {
    const { db } = await fresh();
    const draft = await importParsedItem(
      db,
      makeItem({ title: 'Half Watched', externalIds: { mal: '9' } }, { status: 'draft', publishedAt: null, body: 'Private notes.', score: { value: 2, max: 5 } }),
      as('Aiko Tanaka'),
    );
    await insertEntry(db, 'Aiko Tanaka', (await db.kysely.selectFrom('works').select('id').where('slug', '=', draft.work.slug).executeTakeFirstOrThrow()).id, {
      status: 'on_hold',
      progress: 4,
    });
    const { text, result } = await capture((out) => exportMalXml(db, out, {}));
    expect(result).toEqual({ written: 1, skipped: 0, drafts: 1 });
    expect(text).not.toContain('Private notes.');
    const [item] = itemsOf(await collect(parseMalExport(Readable.from([Buffer.from(text)]))));
    expect(item).toMatchObject({ work: { externalIds: { mal: '9' } }, entry: { status: 'on_hold', progress: 4 } });
    expect(item!.review?.score ?? null).toBeNull();
  });

  it('asks which author a MyAnimeList export is for when there are several, and refuses an unknown author', async () => {
    const { db } = await fresh();
    await seed(db);
    await expect(capture((out) => exportMalXml(db, out, {}))).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('--author') });
    const ben = await capture((out) => exportMalXml(db, out, as('BEN ITO')));
    expect(ben.result).toEqual({ written: 1, skipped: 0, drafts: 0 });
    for (const run of [
      () => capture((out) => exportMalXml(db, out, as('Nobody'))),
      () => capture((out) => exportCsv(db, out, as('Nobody'))),
      () => exportMarkdown(db, zipPath(), as('Nobody')),
    ]) {
      await expect(run()).rejects.toMatchObject({ code: 'not_found', message: 'The author "Nobody" was not found.' });
    }
  });

  it('exports Markdown in a folder per author when there are several, and in one folder for one author', async () => {
    const { db } = await fresh();
    await seed(db);
    const all = zipPath();
    expect(await exportMarkdown(db, all, {})).toEqual({ written: 4 });
    const files = await unzip(all);
    expect([...files.keys()]).toEqual([
      'reviews/aiko-tanaka/hero-not-equal-mask.md',
      'reviews/aiko-tanaka/a-draft.md',
      'reviews/aiko-tanaka/hyperlink-http-evil-example.md',
      'reviews/ben-ito/bens-pick.md',
    ]);
    expect(parsePlainText(files.get('reviews/aiko-tanaka/a-draft.md')!).review.status).toBe('draft');
    expect(parsePlainText(files.get('reviews/aiko-tanaka/hyperlink-http-evil-example.md')!).work.title).toBe('=HYPERLINK("http://evil.example")');

    const ben = zipPath();
    expect(await exportMarkdown(db, ben, as('ben ito'))).toEqual({ written: 1 });
    expect([...(await unzip(ben)).keys()]).toEqual(['reviews/bens-pick.md']);
  });

  it('exports Markdown in one folder when the other authors only have list entries', async () => {
    const { db } = await fresh();
    await importParsedItem(db, makeItem({ title: 'Solo' }), as('Aiko Tanaka'));
    await insertEntry(db, 'Ben Ito', await insertWork(db, 'listed', 'Listed'));
    const out = zipPath();
    expect(await exportMarkdown(db, out, {})).toEqual({ written: 1 });
    expect([...(await unzip(out)).keys()]).toEqual(['reviews/solo.md']);
  });
});
