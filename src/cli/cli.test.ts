import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { runCli, startCli } from '../../test/cli.js';
import { buildApp } from '../server/app.js';

const fixtures = new URL('../../test/fixtures/reviews/', import.meta.url).pathname;
const example = new URL('../../../shared/examples/hero-mask-review.txt', import.meta.url).pathname;
const tmp = () => mkdtempSync(join(tmpdir(), 'kansou-cli-'));

forEachDatabase((fresh) => {
  it('imports review files, then changes nothing on a second run, then updates an edited file', async () => {
    const { db, url } = await fresh();
    const env = { DATABASE_URL: url, KANSOU_OWNER: 'Aiko Tanaka' };
    const dir = tmp();
    copyFileSync(join(fixtures, 'mob-psycho-100.txt'), join(dir, 'mob.txt'));
    copyFileSync(join(fixtures, 'devilman-crybaby.md'), join(dir, 'devilman.md'));

    const first = await runCli(['import', dir], env);
    expect(first.stderr).toContain('2 files: 2 imported (2 created, 0 updated, 0 unchanged), 0 failed');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/✓ .*mob\.txt: "Mob Psycho 100" anime_series 2016, 4\.5\/5 — work created \(mob-psycho-100\), review #\d+ created/);

    const second = await runCli(['import', dir], env);
    expect(second.stderr).toContain('2 files: 2 imported (0 created, 0 updated, 2 unchanged), 0 failed');

    const path = join(dir, 'mob.txt');
    writeFileSync(path, readFileSync(path, 'utf8').replace('Final Score: 4.5 out of 5', 'Final Score: 4 out of 5'));
    const third = await runCli(['import', path], env);
    expect(third.stderr).toContain('1 file: 1 imported (0 created, 1 updated, 0 unchanged), 0 failed');
    const reviews = await db.kysely.selectFrom('reviews').innerJoin('authors', 'authors.id', 'reviews.authorId').select(['rating', 'authors.name']).orderBy('reviews.id').execute();
    expect(reviews).toEqual([
      { rating: 80, name: 'Aiko Tanaka' },
      { rating: 80, name: 'Aiko Tanaka' },
    ]);
  });

  it.skipIf(!existsSync(example))('imports the example review into a work, its credits and a 2.5 out of 5 review, once', async () => {
    const { db, url } = await fresh();
    const first = await runCli(['import', example], { DATABASE_URL: url });
    expect(first.code).toBe(0);
    const again = await runCli(['import', example], { DATABASE_URL: url });
    expect(again.stderr).toContain('1 file: 1 imported (0 created, 0 updated, 1 unchanged), 0 failed');

    const app = await buildApp({ db, logLevel: 'silent' });
    try {
      const work = (await app.inject('/api/v1/works/hero-not-equal-mask')).json();
      expect(work).toMatchObject({
        title: 'Hero ≠ Mask',
        kind: 'anime_series',
        year: 2018,
        credits: [
          { role: 'director', name: 'Hiroyasu Aoki' },
          { role: 'writer', name: 'Hiroyasu Aoki' },
          { role: 'music', name: 'Hisaki Kato' },
        ],
        studios: [{ name: 'Pierrot' }],
        platforms: [{ name: 'Netflix' }],
        score: { reviewCount: 1, ratingCount: 1, mean: 50, outOf5: 2.5 },
      });
      const [summary] = (await app.inject('/api/v1/reviews?work=hero-not-equal-mask')).json().items;
      const review = (await app.inject(`/api/v1/reviews/${summary.id}`)).json();
      expect(review).toMatchObject({ score: { value: 2.5, max: 5 }, rating: 50, hasSpoilers: true, author: { name: 'Site Owner' } });
      const text = readFileSync(example, 'utf8');
      // Every paragraph of prose survives (the one split by a stray blank line, joined again); the info block does not.
      for (const paragraph of text.split(/\n\s*\n/).slice(1, 6)) {
        const words = paragraph.trim().split(/\s+/);
        expect(review.body).toContain(words.slice(0, 4).join(' '));
        expect(review.body).toContain(words.slice(-3).join(' '));
      }
      expect(review.body).not.toMatch(/Director:|Final Score|Watch It On/);
      expect((await app.inject('/api/v1/works?q=hero%20mask')).json().items.map((w: { slug: string }) => w.slug)).toEqual(['hero-not-equal-mask']);
    } finally {
      await app.close();
    }
  });

  it('carries on past bad files, names each with its reason, and exits non-zero', async () => {
    const { db, url } = await fresh();
    const dir = tmp();
    copyFileSync(join(fixtures, 'mob-psycho-100.txt'), join(dir, 'good.txt'));
    writeFileSync(join(dir, 'empty.txt'), '');
    writeFileSync(join(dir, 'binary.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
    const result = await runCli(['import', '--author', 'Ben', dir, join(dir, 'missing.txt')], { DATABASE_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/✗ .*empty\.txt: empty file/);
    expect(result.stderr).toMatch(/✗ .*binary\.txt: binary file/);
    expect(result.stderr).toMatch(/✗ .*missing\.txt: no such file or folder/);
    expect(result.stderr).toContain('4 files: 1 imported (1 created, 0 updated, 0 unchanged), 3 failed');
    const works = await db.kysely.selectFrom('works').select('title').execute();
    expect(works).toEqual([{ title: 'Mob Psycho 100' }]);
  });

  it('exports everything as JSON, and an import into an empty database gives the same export', async () => {
    const { url } = await fresh();
    await runCli(['import', fixtures], { DATABASE_URL: url });
    const dir = tmp();
    const file = join(dir, 'backup.json');
    const saved = await runCli(['export', '--format', 'json', '--output', file], { DATABASE_URL: url });
    expect(saved.code).toBe(0);
    expect(saved.stderr).toMatch(/exported 1 authors, \d+ people, .*2 works, 2 reviews/);
    const toStdout = await runCli(['export'], { DATABASE_URL: url });
    expect(toStdout.stdout).toBe(readFileSync(file, 'utf8'));

    const { url: other } = await fresh();
    const restored = await runCli(['import', '--format', 'json', file], { DATABASE_URL: other });
    expect(restored.code).toBe(0);
    expect(restored.stderr).toContain('reviews: 2 created, 0 updated, 0 unchanged, 0 failed');
    expect((await runCli(['export'], { DATABASE_URL: other })).stdout).toBe(toStdout.stdout);
    // A restore leaves the rendering of review bodies to the server, or to `kansou render`.
    expect(restored.stderr).toContain('kansou render');
    const rendered = (await runCli(['render'], { DATABASE_URL: other })).stderr;
    expect(rendered).toContain('rendered 2 reviews');
    // Two works, each with its page and one review's.
    expect(rendered).toContain('stored 4 pages of works and reviews');
    const again = (await runCli(['render'], { DATABASE_URL: other })).stderr;
    expect(again).toContain('every review is rendered');
    expect(again).not.toContain('stored');
  });

  it('renders the reviews a restore left unrendered once the server has started, then stores the pages', async () => {
    const { url } = await fresh();
    await runCli(['import', fixtures], { DATABASE_URL: url });
    const file = join(tmp(), 'backup.json');
    await runCli(['export', '--output', file], { DATABASE_URL: url });
    const { db, url: other } = await fresh();
    await runCli(['import', file], { DATABASE_URL: other });
    expect(await db.kysely.selectFrom('reviewRenders').select('reviewId').execute()).toEqual([]);

    const server = startCli(['serve'], { DATABASE_URL: other, PORT: String(41000 + Math.floor(Math.random() * 9000)), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    try {
      await server.waitFor('rendered 2 reviews that had no stored rendering');
      // Then the works' lists and the pages of works and reviews.
      await server.waitFor('stored 4 pages of works and reviews');
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(await db.kysely.selectFrom('reviewRenders').select('reviewId').execute()).toHaveLength(2);
    expect(await db.kysely.selectFrom('storedPages').select('kind').orderBy('kind').execute()).toEqual([{ kind: 'review' }, { kind: 'review' }, { kind: 'work' }, { kind: 'work' }]);
  });

  it('refuses a JSON file that is not an export, changing nothing', async () => {
    const { db, url } = await fresh();
    const file = join(tmp(), 'list.json');
    writeFileSync(file, '{"anime": [1, 2, 3]}');
    const result = await runCli(['import', file], { DATABASE_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not a Kansou export');
    expect(await db.kysely.selectFrom('works').select('id').execute()).toEqual([]);
  });
});

describe('kansou import --dry-run --json', () => {
  it('prints what would be imported and writes nothing', async () => {
    const dir = tmp();
    const url = join(dir, 'never.db');
    const result = await runCli(['import', '--dry-run', '--json', join(fixtures, 'devilman-crybaby.md'), join(dir, 'nope.txt')], { DATABASE_URL: url });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.items).toHaveLength(2);
    const [ok, missing] = report.items;
    expect(ok).toMatchObject({
      ok: true,
      error: null,
      work: {
        title: 'Devilman Crybaby',
        kind: 'ona',
        year: 2018,
        credits: [
          { role: 'director', name: 'Masaaki Yuasa' },
          { role: 'writer', name: 'Ichirō Ōkouchi' },
        ],
        studios: ['Science SARU'],
        platforms: ['Netflix'],
        tags: ['horror', 'action'],
      },
      review: { headline: 'Loud, cruel and tender', score: { value: 8, max: 10 }, rating: 80, hasSpoilers: true },
    });
    expect(Object.keys(ok).sort()).toEqual(['error', 'ok', 'review', 'source', 'warnings', 'work']);
    expect(ok.review.body).toContain('||the end of the world');
    expect(missing).toEqual({ source: join(dir, 'nope.txt'), ok: false, error: 'no such file or folder', warnings: [], work: null, review: null });
    expect(existsSync(url)).toBe(false);
  });

  it.skipIf(!existsSync(example))('reads the example review as the product promises', async () => {
    const result = await runCli(['import', '--dry-run', '--json', example], { DATABASE_URL: join(tmp(), 'x.db') });
    expect(result.code).toBe(0);
    const [item] = JSON.parse(result.stdout).items;
    expect(item.work).toEqual({
      title: 'Hero ≠ Mask',
      altTitles: [],
      kind: 'anime_series',
      year: 2018,
      credits: [
        { role: 'director', name: 'Hiroyasu Aoki' },
        { role: 'writer', name: 'Hiroyasu Aoki' },
        { role: 'music', name: 'Hisaki Kato' },
      ],
      studios: ['Pierrot'],
      platforms: ['Netflix'],
      tags: [],
    });
    expect(item.review).toMatchObject({ score: { value: 2.5, max: 5 }, rating: 50, hasSpoilers: true });
  });
});
