import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { forEachDatabase } from '../../test/databases.js';
import { importParsedItem } from '../import/import.service.js';
import type { ParsedItem } from '../import/import.types.js';
import { splitFrontMatter } from '../import/plaintext/plaintext.frontmatter.js';
import { parsePlainText } from '../import/plaintext/plaintext.parser.js';
import { exportItems, type ExportItem } from './exports.repository.js';
import { insertEntry, insertWork, makeItem, richItem, seedRichReview, unzip } from './fixtures/seed.js';
import { reviewMarkdown, writeMarkdownZip } from './markdown.export.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function zipPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kansou-markdown-'));
  dirs.push(dir);
  return join(dir, 'reviews.zip');
}

async function* itemsOf<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

/** An item as the export gives it, from a parsed item as an importer gives it. */
function exported(item: ParsedItem, extra: Partial<ExportItem> = {}): ExportItem {
  return { ...item, reviewId: 1, workSlug: 'work', authorSlug: 'aiko-tanaka', author: 'Aiko Tanaka', entry: null, sourceUrl: null, ...extra };
}

/** Checks that the text importer reads `text` back as `item`'s work and review. */
function expectReadBack(text: string, item: ExportItem): void {
  const parsed = parsePlainText(text, { filename: item.workSlug });
  const { work, review } = item;
  const byType = (titles: { title: string; type: string }[]) => [...titles].sort((a, b) => a.type.localeCompare(b.type) || a.title.localeCompare(b.title));
  const byRole = (credits: { role: string; name: string }[]) => [...credits].sort((a, b) => a.role.localeCompare(b.role));
  const readable = Object.fromEntries(Object.entries(work.externalIds).filter(([source]) => ['mal', 'anilist', 'imdb', 'tmdb'].includes(source)));
  expect(parsed.work).toEqual({
    title: work.title,
    altTitles: expect.any(Array),
    kind: work.kind,
    year: work.year,
    synopsis: work.synopsis,
    credits: expect.any(Array),
    studios: work.studios,
    platforms: work.platforms,
    tags: work.tags,
    externalIds: readable,
  });
  expect(byType(parsed.work.altTitles)).toEqual(byType(work.altTitles));
  expect(byRole(parsed.work.credits)).toEqual(byRole(work.credits));
  expect(parsed.review).toEqual(review);
}

describe('reviewMarkdown', () => {
  it('writes front matter the text importer reads back, and the body as it is', () => {
    const item = exported(richItem(), {
      workSlug: 'hero-mask',
      work: { ...richItem().work, episodes: 12 },
      entry: { status: 'completed', progress: 12, startedOn: '2024-01-01', finishedOn: null, timesWatched: 2, tags: ['rewatch'] },
      sourceUrl: 'https://blog.example/hero-mask',
    });
    const text = reviewMarkdown(item);
    expect(text).toBe(
      [
        '---',
        'title: "Hero ≠ Mask"',
        'slug: "hero-mask"',
        'english_title: ["Hero Is Not Mask"]',
        'romaji_title: ["Hiro Masuku"]',
        'original_title: ["ヒーロー≠マスク"]',
        'alt_titles: ["HxM"]',
        'kind: "anime_series"',
        'year: 2018',
        'episodes: 12',
        'director: ["Hiroyasu Aoki"]',
        'writer: ["Kurasumi Sunayama"]',
        'music: ["Kōtarō Nakagawa"]',
        'original_creator: ["Ichirō Ōkouchi"]',
        'cast: ["Ryōta Ōsaka", "Aya Endō"]',
        'studios: ["Pierrot"]',
        'platforms: ["Netflix", "Crunchyroll"]',
        'tags: ["Mystery", "Action"]',
        'score: "★★★½"',
        'headline: "Masks all the way down"',
        'summary: "Good, not great."',
        'date: "2024-03-05"',
        'draft: false',
        'spoilers: true',
        'mal_id: "37521"',
        'anilist_id: "101348"',
        'imdb_id: "tt9000001"',
        'external_ids:',
        '  kitsu: "40001"',
        'synopsis: "A detective and a prosecutor follow a string of deaths."',
        'author: "Aiko Tanaka"',
        'source_url: "https://blog.example/hero-mask"',
        'list:',
        '  status: "completed"',
        '  progress: 12',
        '  started_on: "2024-01-01"',
        '  times_watched: 2',
        '  tags: ["rewatch"]',
        '---',
        '',
        'The first half is tight.',
        '',
        'Then ||the mask is the detective|| and it wobbles.',
        '',
        '::: spoiler',
        'The last episode undoes it.',
        ':::',
        '',
      ].join('\n'),
    );
    expectReadBack(text, item);
    // Only the fields the importer has no key for are left over, each named in a warning.
    const unknown = parsePlainText(text).warnings.filter((w) => w.startsWith('front matter'));
    expect(unknown).toEqual(
      ['slug', 'episodes', 'external_ids', 'author', 'source_url', 'list'].map((key) => `front matter: ignored unknown key "${key}"`),
    );
  });

  it('keeps hostile titles, names and bodies intact', () => {
    const hostile = [
      'He said "hi": a #1 - [test] {x} & *not* emphasis',
      "it's: '--- yes'",
      '=HYPERLINK("http://evil.example","click")',
      '- [ ] not a list',
      'yes',
      '2024-05-01',
      '進撃の巨人 — Ōkouchi ≠ ＡＢＣ',
      'back\\slash \\n not a newline',
    ];
    const body = [
      'Opening with "double" and \'single\' quotes, a colon: here, and a # sign.',
      '---',
      'key: value # not a comment',
      '- [ ] a task\n- [x] done',
      '=HYPERLINK("http://evil.example","click")',
      '...',
      '---\ntitle: not front matter\n---',
      '```yaml\n---\nfoo: [1, 2]\n\n---\n```',
      'Ending with ||a spoiler: "quoted" --- here|| and 日本語.',
    ].join('\n\n');
    for (const [n, title] of hostile.entries()) {
      const item = exported(
        makeItem(
          {
            title,
            year: 2000 + n,
            altTitles: [{ title: `${title} (alt)`, type: 'other' }],
            credits: [{ role: 'director', name: `${title} Director` }],
            studios: [`Studio: ${n} # [x]`],
            tags: ['Sci-Fi, Fantasy', `tag: ${n}`],
            synopsis: `${title}: the synopsis`,
          },
          { headline: `${title} — headline`, summary: `- ${title}: summary #`, body, hasSpoilers: true, score: { value: 8.5, max: 10 }, scoreText: '8.5/10' },
        ),
        { workSlug: `hostile-${n}` },
      );
      const text = reviewMarkdown(item);
      const { frontMatter } = splitFrontMatter(text);
      expect(frontMatter).toMatchObject({ title, studios: [`Studio: ${n} # [x]`], headline: `${title} — headline` });
      expect(parse(text.split('\n---\n')[0]!.slice(4))).toMatchObject({ title });
      expectReadBack(text, item);
    }
  });

  it('writes strings that YAML 1.2 and 1.1 readers both read back exactly', () => {
    const strange = 'tab\there, NEL\u0085, LS\u2028, PS\u2029, DEL\u007f, BOM\ufeff, NUL\u0000, ESC\u001b, 😀, "\\", \'#\' --- ...';
    const work = { title: strange, tags: [strange, 'yes', 'null', '1e3', '0x10'], externalIds: { on: '1', 'odd key: #1': '2', mal: '007' } };
    const item = exported(makeItem(work, { headline: strange }));
    const text = reviewMarkdown(item);
    const source = text.slice(4, text.indexOf('\n---\n'));
    for (const version of ['1.1', '1.2'] as const) {
      expect(parse(source, { version })).toMatchObject({
        title: strange,
        headline: strange,
        tags: [strange, 'yes', 'null', '1e3', '0x10'],
        mal_id: '007',
        external_ids: { on: '1', 'odd key: #1': '2' },
      });
    }
    expect(splitFrontMatter(text).frontMatter).toMatchObject({ title: strange });
  });

  it('writes the score as written when it reads back the same, and value/max otherwise', () => {
    const score = (value: number, max: number, scoreText: string | null) =>
      splitFrontMatter(reviewMarkdown(exported(makeItem({}, { score: { value, max }, scoreText })))).frontMatter?.score;
    expect(score(4, 5, '4 out of 5')).toBe('4 out of 5');
    expect(score(4.5, 5, '4.5 stars')).toBe('4.5 stars');
    expect(score(86, 100, '86%')).toBe('86%');
    expect(score(8, 10, 'eight')).toBe('8/10');
    expect(score(8, 10, '9/10')).toBe('8/10');
    expect(score(8, 10, null)).toBe('8/10');
    const unscored = reviewMarkdown(exported(makeItem({}, { score: null, scoreText: 'B+' })));
    expect(splitFrontMatter(unscored).frontMatter?.score).toBe('B+');
    expect(parsePlainText(unscored).review).toMatchObject({ score: null, rating: null });
  });

  it('writes drafts as drafts, and a review with nothing but its title and score', () => {
    const draft = exported(makeItem({ title: 'Unfinished', kind: null, year: null }, { status: 'draft', publishedAt: null, body: 'Notes so far.' }));
    const draftText = reviewMarkdown(draft);
    expect(splitFrontMatter(draftText).frontMatter).toMatchObject({ draft: true });
    expect(splitFrontMatter(draftText).frontMatter).not.toHaveProperty('date');
    expectReadBack(draftText, draft);

    const bare = exported(makeItem({ title: 'Only a Score', kind: null, year: null }, { body: '', headline: null, summary: null }));
    const bareText = reviewMarkdown(bare);
    expect(bareText.endsWith('---\n\n')).toBe(true);
    expectReadBack(bareText, bare);
  });

  it('writes a kind the importer would read as anime in its words for the works that are not', () => {
    for (const kind of ['series', 'film'] as const) {
      const mentionsAnime = exported(makeItem({ title: `Live ${kind}`, kind }, { body: 'Better than the anime it adapts.' }));
      expect(splitFrontMatter(reviewMarkdown(mentionsAnime)).frontMatter?.kind).toBe(`live-action ${kind}`);
      expectReadBack(reviewMarkdown(mentionsAnime), mentionsAnime);
      const plain = exported(makeItem({ title: `Plain ${kind}`, kind }, { body: 'A fine watch.' }));
      expect(splitFrontMatter(reviewMarkdown(plain)).frontMatter?.kind).toBe(kind);
      expectReadBack(reviewMarkdown(plain), plain);
    }
    for (const kind of ['anime_series', 'anime_film', 'ova', 'ona', 'special', 'other'] as const) {
      const item = exported(makeItem({ title: `Kind ${kind}`, kind }, { body: 'Says anime, and film, and series.' }));
      expectReadBack(reviewMarkdown(item), item);
    }
  });

  it('keeps a heading that opens the body in the body, in a review without a headline', () => {
    for (const opening of ['## The setup', 'The setup\n===']) {
      const item = exported(makeItem({ title: 'Headed' }, { headline: null, body: `${opening}\n\nIt starts well.` }));
      const text = reviewMarkdown(item);
      expect(text).toContain(`---\n\n# Headed\n\n${opening}\n`);
      const parsed = parsePlainText(text);
      expect(parsed.review.headline).toBeNull();
      expect(parsed.work.title).toBe('Headed');
      if (opening.startsWith('#')) expect(parsed.review.body).toBe(item.review!.body);
    }
    const withHeadline = exported(makeItem({ title: 'Headed' }, { headline: 'Mine', body: '## The setup\n\nIt starts well.' }));
    expect(reviewMarkdown(withHeadline)).not.toContain('# Headed');
    expectReadBack(reviewMarkdown(withHeadline), withHeadline);
  });
});

describe('writeMarkdownZip', () => {
  const review = (title: string, author: string, authorSlug: string, workSlug: string) =>
    exported(makeItem({ title }), { author, authorSlug, workSlug });

  it('writes one file per review, with unique names; list entries without a review get none', async () => {
    const out = zipPath();
    const entryOnly: ExportItem = { ...review('Planned', 'Aiko Tanaka', 'aiko-tanaka', 'planned'), review: null, reviewId: null };
    const items = [
      review('One', 'Aiko Tanaka', 'aiko-tanaka', 'one'),
      entryOnly,
      review('One', 'Ben Ito', 'ben-ito', 'one'),
      review('One Again', 'Aiko Tanaka', 'aiko-tanaka', 'One'),
      review('Two', 'Aiko Tanaka', 'aiko-tanaka', '../../etc/passwd'),
    ];
    expect(await writeMarkdownZip(itemsOf(items), out)).toEqual({ written: 4 });
    expect(existsSync(`${out}.partial`)).toBe(false);
    const files = await unzip(out);
    expect([...files.keys()]).toEqual(['reviews/one.md', 'reviews/one-2.md', 'reviews/one-3.md', 'reviews/etc-passwd.md']);
    expect(parsePlainText(files.get('reviews/one-2.md')!).work.title).toBe('One');
    expect(splitFrontMatter(files.get('reviews/one-2.md')!).frontMatter).toMatchObject({ author: 'Ben Ito' });

    const byAuthor = zipPath();
    await writeMarkdownZip(itemsOf(items), byAuthor, { authorFolders: true });
    expect([...(await unzip(byAuthor)).keys()]).toEqual([
      'reviews/aiko-tanaka/one.md',
      'reviews/ben-ito/one.md',
      'reviews/aiko-tanaka/one-2.md',
      'reviews/aiko-tanaka/etc-passwd.md',
    ]);
  });

  it('writes an empty archive when there is no review', async () => {
    const out = zipPath();
    expect(await writeMarkdownZip(itemsOf([]), out)).toEqual({ written: 0 });
    expect((await unzip(out)).size).toBe(0);
  });

  it('streams many files without holding them, in order', async () => {
    const out = zipPath();
    async function* many(): AsyncGenerator<ExportItem> {
      for (let n = 0; n < 1500; n++) yield exported(makeItem({ title: `Many ${n}` }, { body: `Body ${n}. `.repeat(50) }), { workSlug: `many-${n}` });
    }
    expect(await writeMarkdownZip(many(), out)).toEqual({ written: 1500 });
    const files = await unzip(out);
    expect(files.size).toBe(1500);
    expect(parsePlainText(files.get('reviews/many-1499.md')!).review.body).toBe(`Body 1499. `.repeat(50).trim());
  });

  it('leaves neither the archive nor the partial file when reading fails midway', async () => {
    const out = zipPath();
    async function* failing(): AsyncGenerator<ExportItem> {
      for (let n = 0; n < 200; n++) yield exported(makeItem({ title: `Fine ${n}` }), { workSlug: `fine-${n}` });
      throw new Error('connection lost');
    }
    await expect(writeMarkdownZip(failing(), out)).rejects.toThrow('connection lost');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('fails when the archive cannot be written', async () => {
    const out = join(zipPath(), 'missing-folder', 'reviews.zip');
    await expect(writeMarkdownZip(itemsOf([review('One', 'A', 'a', 'one')]), out)).rejects.toThrow(/ENOENT/);
  });
});

forEachDatabase((fresh) => {
  it('exports reviews from the database that the text importer reads back as the same work and review', async () => {
    const { db } = await fresh();
    await seedRichReview(db);
    await importParsedItem(db, makeItem({ title: 'Drafted', credits: [{ role: 'writer', name: 'Mari Okada' }] }, { status: 'draft', publishedAt: null }), {
      author: 'Aiko Tanaka',
    });
    await importParsedItem(
      db,
      makeItem(
        { title: '"Quotes" & =SUM(A1) : # [x]', kind: 'film', year: 1999, altTitles: [{ title: 'Привет, мир', type: 'original' }] },
        { body: 'Para one: it is fine.\n\n---\n\nA line of anime talk.\n\n- [ ] a task', score: { value: 7, max: 10 }, scoreText: '7/10' },
      ),
      { author: 'Aiko Tanaka' },
    );
    await insertEntry(db, 'Aiko Tanaka', await insertWork(db, 'planned', 'Planned'), { status: 'plan_to_watch' });

    const items = [];
    for await (const item of exportItems(db, {})) items.push(item);
    const out = zipPath();
    expect(await writeMarkdownZip(exportItems(db, { pageSize: 2 }), out)).toEqual({ written: 3 });
    const files = await unzip(out);
    const reviewed = items.filter((i) => i.review);
    expect(reviewed.map((i) => i.workSlug)).toEqual(['hero-not-equal-mask', 'drafted', expect.any(String)]);
    expect([...files.keys()]).toEqual(reviewed.map((i) => `reviews/${i.workSlug}.md`));
    for (const item of reviewed) expectReadBack(files.get(`reviews/${item.workSlug}.md`)!, item);

    // Imported into the database they came from, the files find their works and reviews and change nothing.
    for (const item of reviewed) {
      const again = await importParsedItem(db, parsePlainText(files.get(`reviews/${item.workSlug}.md`)!), { author: item.author! });
      expect(again.work).toMatchObject({ slug: item.workSlug, action: 'matched' });
      expect(again.review).toEqual({ id: item.reviewId, action: 'unchanged' });
    }
  });
});
