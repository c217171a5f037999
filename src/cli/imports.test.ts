/**
 * `kansou import` of lists and feeds, `kansou imports`, and `kansou export` in the list formats,
 * run as the real command on both databases.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Db } from '../db/connection.js';
import { runCli } from '../../test/cli.js';
import { forEachDatabase } from '../../test/databases.js';

const mal = new URL('../import/mal/fixtures/', import.meta.url).pathname;
const letterboxd = new URL('../import/letterboxd/fixtures/', import.meta.url).pathname;
const tmp = () => mkdtempSync(join(tmpdir(), 'kansou-cli-'));

/** What a reader and the MyAnimeList round trip care about: each work's list entry and score, by MAL id. */
async function listByMalId(db: Db) {
  const rows = await db.kysely
    .selectFrom('listEntries as e')
    .innerJoin('workExternalIds as x', (j) => j.onRef('x.workId', '=', 'e.workId').on('x.source', '=', 'mal'))
    .leftJoin('reviews as r', (j) => j.onRef('r.workId', '=', 'e.workId').onRef('r.authorId', '=', 'e.authorId'))
    .select(['x.externalId as mal', 'e.status', 'e.progress', 'e.startedOn', 'e.finishedOn', 'e.timesWatched', 'r.scoreValue', 'r.scoreMax', 'r.body'])
    .orderBy('x.externalId')
    .execute();
  return rows.map((r) => ({ ...r, scoreValue: r.scoreValue === null ? null : Number(r.scoreValue), scoreMax: r.scoreMax === null ? null : Number(r.scoreMax) }));
}

/** Every review with its author, work and the author's list entry for the work: what a Markdown round trip must keep. */
async function reviewsWithEntries(db: Db) {
  const rows = await db.kysely
    .selectFrom('reviews as r')
    .innerJoin('authors as a', 'a.id', 'r.authorId')
    .innerJoin('works as w', 'w.id', 'r.workId')
    .leftJoin('listEntries as e', (j) => j.onRef('e.workId', '=', 'r.workId').onRef('e.authorId', '=', 'r.authorId'))
    .select(['a.name as author', 'w.title', 'w.kind', 'w.year', 'w.episodes', 'r.status', 'r.headline', 'r.body', 'r.scoreValue', 'r.scoreMax', 'r.rating', 'r.publishedAt'])
    .select(['e.status as listStatus', 'e.progress', 'e.startedOn', 'e.finishedOn', 'e.timesWatched', 'e.tags as listTags'])
    .execute();
  return rows
    .map((r) => ({ ...r, scoreValue: r.scoreValue === null ? null : Number(r.scoreValue), scoreMax: r.scoreMax === null ? null : Number(r.scoreMax) }))
    .sort((a, b) => `${a.author} ${a.title}`.localeCompare(`${b.author} ${b.title}`));
}

const count = async (db: Db, table: 'works' | 'reviews' | 'listEntries') =>
  Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

forEachDatabase((fresh) => {
  it('imports a gzipped MyAnimeList export found by its contents, changes nothing the second time, reports and undoes it', async () => {
    const { db, url } = await fresh();
    const env = { DATABASE_URL: url, KANSOU_OWNER: 'Aiko Tanaka' };
    const file = join(mal, 'anime-list-1.1.0.xml.gz');

    const first = await runCli(['import', file], env);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/#1 .* mal .*anime-list-1\.1\.0\.xml\.gz \(author Aiko Tanaka\) — done\n {3}8 entries: 8 created, 0 updated, 0 unchanged, 0 skipped, 0 failed/);
    expect(first.stderr).toContain('undo with `kansou imports undo 1`');
    const entries = await listByMalId(db);
    expect(entries).toHaveLength(8);
    expect(entries.find((e) => e.mal === '1')).toMatchObject({ status: 'completed', progress: 26, startedOn: '2019-01-05', finishedOn: '2019-02-10', scoreValue: 9, scoreMax: 10 });
    expect(entries.find((e) => e.mal === '1')!.body).toContain('See you, space cowboy.');

    const second = await runCli(['import', file], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('8 entries: 0 created, 0 updated, 8 unchanged, 0 skipped, 0 failed; 8 matched existing works');
    expect(await listByMalId(db)).toEqual(entries);

    const show = await runCli(['imports', 'show', '1', '--all', '--json'], env);
    expect(show.code).toBe(0);
    const report = JSON.parse(show.stdout);
    expect(report.import).toMatchObject({ id: 1, format: 'mal', status: 'done', created: 8 });
    expect(report.items).toHaveLength(8);
    expect(report.items[0]).toMatchObject({ ref: 'anime 1 (Cowboy Bebop)', outcome: 'created', workAction: 'created', reviewAction: 'created', entryAction: 'created', uncertain: false });

    // A third run changes one score; undoing the first while the third (which changed its work) stands is refused.
    const edited = join(tmp(), 'animelist.xml');
    writeFileSync(edited, readFileSync(join(mal, 'anime-list-1.1.0.xml'), 'utf8').replace('<my_score>9</my_score>', '<my_score>7</my_score>'));
    const third = await runCli(['import', edited], env);
    expect(third.stderr).toContain('8 entries: 0 created, 1 updated, 7 unchanged');
    expect((await listByMalId(db)).find((e) => e.mal === '1')).toMatchObject({ scoreValue: 7 });
    const early = await runCli(['imports', 'undo', '1'], env);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/#3/);
    expect(await count(db, 'reviews')).toBe(6);

    const undoThird = await runCli(['imports', 'undo', '3'], env);
    expect(undoThird.code).toBe(0);
    expect(await listByMalId(db)).toEqual(entries);
    const undo = await runCli(['imports', 'undo', '1'], env);
    expect(undo.code).toBe(0);
    expect(undo.stderr).toMatch(/import #1 undone: 6 reviews, 8 list entries and 8 works taken back/);
    expect([await count(db, 'works'), await count(db, 'reviews'), await count(db, 'listEntries')]).toEqual([0, 0, 0]);
    const list = await runCli(['imports'], env);
    expect(list.stdout).toMatch(/#1 .* — undone /);
  });

  it('refuses a manga list given as anime, writing nothing, and says so', async () => {
    const { db, url } = await fresh();
    const result = await runCli(['import', join(mal, 'manga-list.xml')], { DATABASE_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/manga/i);
    expect(await count(db, 'works')).toBe(0);
  });

  it("imports Letterboxd's CSVs as one review per film and day, keeping half stars", async () => {
    const { db, url } = await fresh();
    const dir = tmp();
    for (const name of ['reviews.csv', 'ratings.csv', 'diary.csv']) copyFileSync(join(letterboxd, name), join(dir, name));
    const paths = ['reviews.csv', 'ratings.csv', 'diary.csv'].map((n) => join(dir, n));
    const first = await runCli(['import', ...paths], { DATABASE_URL: url });
    expect(first.stderr).toMatch(/ letterboxd /);
    const parasite = await db.kysely
      .selectFrom('reviews as r')
      .innerJoin('works as w', 'w.id', 'r.workId')
      .select(['w.kind', 'w.year', 'r.scoreValue', 'r.scoreMax', 'r.body'])
      .where('w.title', '=', 'Parasite')
      .execute();
    expect(parasite).toHaveLength(1);
    expect(parasite[0]).toMatchObject({ kind: 'film', year: 2019, scoreMax: 5 });
    expect(Number(parasite[0]!.scoreValue)).toBe(4.5);
    expect(parasite[0]!.body).toContain('*perfect*');

    const again = await runCli(['import', ...paths], { DATABASE_URL: url });
    expect(again.stderr).toMatch(/ 0 created, 0 updated, \d+ unchanged/);
  });

  it('exports a MyAnimeList XML that our MyAnimeList import reads back as the same scores and statuses', async () => {
    const from = await fresh();
    const to = await fresh();
    expect((await runCli(['import', join(mal, 'anime-list-1.1.0.xml')], { DATABASE_URL: from.url })).code).toBe(0);
    const out = join(tmp(), 'animelist.xml');
    const exported = await runCli(['export', '--format', 'mal', '--output', out], { DATABASE_URL: from.url });
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain(`exported 8 entries to ${out}`);
    expect(existsSync(`${out}.partial`)).toBe(false);

    const back = await runCli(['import', out], { DATABASE_URL: to.url });
    expect(back.code).toBe(0);
    expect(await listByMalId(to.db)).toEqual(await listByMalId(from.db));
  });

  it('exports CSV to standard output that the CSV import reads back as the same reviews', async () => {
    const from = await fresh();
    const to = await fresh();
    await runCli(['import', join(mal, 'anime-list-1.1.0.xml')], { DATABASE_URL: from.url });
    const csv = await runCli(['export', '--format', 'csv'], { DATABASE_URL: from.url });
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^\uFEFFtitle,year,kind,/);
    const file = join(tmp(), 'reviews.csv');
    writeFileSync(file, csv.stdout);
    const back = await runCli(['import', file], { DATABASE_URL: to.url });
    expect(back.stderr).toMatch(/ csv /);
    expect(back.code).toBe(0);
    expect(await listByMalId(to.db)).toEqual(await listByMalId(from.db));
  });

  it('imports its own Markdown export back as the same reviews, authors and list entries', async () => {
    const from = await fresh();
    const to = await fresh();
    expect((await runCli(['import', join(mal, 'anime-list-1.1.0.xml')], { DATABASE_URL: from.url, KANSOU_OWNER: 'Aiko Tanaka' })).code).toBe(0);
    const csvs = ['reviews.csv', 'ratings.csv', 'diary.csv'].map((n) => join(letterboxd, n));
    expect((await runCli(['import', '--author', 'Ben Ito', ...csvs], { DATABASE_URL: from.url })).code).toBe(0);
    const out = join(tmp(), 'reviews.zip');
    expect((await runCli(['export', '--format', 'markdown', '--output', out], { DATABASE_URL: from.url })).code).toBe(0);

    const back = await runCli(['import', out], { DATABASE_URL: to.url });
    expect(back.stderr).toMatch(/ markdown /);
    expect(back.code).toBe(0);
    const original = await reviewsWithEntries(from.db);
    expect(original.length).toBeGreaterThan(10);
    expect(await reviewsWithEntries(to.db)).toEqual(original);

    const again = await runCli(['import', out], { DATABASE_URL: to.url });
    expect(again.stderr).toContain(`${original.length} entries: 0 created, 0 updated, ${original.length} unchanged`);
  });

  it('writes the Markdown export only under the name asked for, and only when it is complete', async () => {
    const { url } = await fresh();
    await runCli(['import', join(mal, 'anime-list-1.1.0.xml')], { DATABASE_URL: url });
    const dir = tmp();
    const noName = await runCli(['export', '--format', 'markdown'], { DATABASE_URL: url });
    expect(noName.code).toBe(1);
    expect(noName.stderr).toContain('--output');
    const out = join(dir, 'reviews.zip');
    const result = await runCli(['export', '--format', 'markdown', '--output', out], { DATABASE_URL: url });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`exported 6 reviews to ${out}`);
    expect(readFileSync(out).subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'latin1'));

    const unknown = await runCli(['export', '--format', 'csv', '--author', 'Nobody At All', '--output', join(dir, 'x.csv')], { DATABASE_URL: url });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Nobody At All/);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
    expect(existsSync(join(dir, 'x.csv.partial'))).toBe(false);
  });
});
