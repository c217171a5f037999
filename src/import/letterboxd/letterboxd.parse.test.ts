import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import type { SourceEntry, SourceItem } from '../import.types.js';
import { parseLetterboxd } from './letterboxd.parse.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);
const read = (name: string) => readFileSync(fixture(name));

const tmp = mkdtempSync(join(tmpdir(), 'kansou-letterboxd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let fileCount = 0;
/** Writes a file under its own name in a fresh folder, so names can repeat across tests. */
function tempFile(name: string, content: string | Buffer): string {
  const dir = join(tmp, String(fileCount++));
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function zipOf(files: [string, string | Buffer][], compress = true): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of files) zip.addBuffer(Buffer.from(content), name, { compress });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function entriesOf(paths: string[], limits = {}): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [];
  for await (const entry of parseLetterboxd(paths, limits)) out.push(entry);
  return out;
}

const items = (entries: SourceEntry[]) => entries.flatMap((e) => ('item' in e ? [e.item] : []));
const errors = (entries: SourceEntry[]) => entries.flatMap((e) => ('error' in e ? [e] : []));
function film(entries: SourceEntry[], title: string): SourceItem {
  const found = items(entries).find((i) => i.work.title === title);
  if (!found) throw new Error(`no entry for ${title}`);
  return found;
}
const refOf = (entries: SourceEntry[], title: string) => entries.find((e) => 'item' in e && e.item.work.title === title)?.ref;

const EXPORT_FILES: [string, string | Buffer][] = [
  ['reviews.csv', read('reviews.csv')],
  ['ratings.csv', read('ratings.csv')],
  ['diary.csv', read('diary.csv')],
  ['watched.csv', read('watched.csv')],
  ['watchlist.csv', read('watchlist.csv')],
  ['profile.csv', read('profile.csv')],
  ['comments.csv', read('comments.csv')],
  ['lists/comfort-films.csv', read('lists/comfort-films.csv')],
  ['likes/films.csv', read('likes/films.csv')],
];

async function exportZip(): Promise<string> {
  return tempFile('letterboxd-cinephile-2024-02-03-10-00-utc.zip', await zipOf(EXPORT_FILES));
}

describe('a Letterboxd export', () => {
  it('reads the ZIP as downloaded: one entry per film, watchlist, likes, lists and profile left alone', async () => {
    const entries = await entriesOf([await exportZip()]);
    expect(errors(entries)).toEqual([]);
    expect(items(entries).map((i) => i.work.title)).toEqual([
      'Parasite',
      'Portrait of a Lady on Fire',
      'Crouching Tiger, Hidden Dragon',
      'Paddington 2',
      'The Room',
      'Cats',
      'Past Lives',
      'Stalker',
    ]);
    for (const item of items(entries)) {
      expect(item.work).toMatchObject({ kind: 'film', externalIds: {}, altTitles: [], credits: [] });
      expect(item.entry?.status).toBe('completed');
    }
  });

  it('reads the same films from the CSV files given one by one', async () => {
    const fromZip = await entriesOf([await exportZip()]);
    const fromFiles = await entriesOf(['reviews.csv', 'ratings.csv', 'diary.csv', 'watched.csv', 'watchlist.csv', 'profile.csv', 'comments.csv'].map(fixture));
    expect(fromFiles).toEqual(fromZip);
  });

  it('keeps half stars exactly: 4.5 stays 4.5 out of 5, 0.5 stays 0.5', async () => {
    const entries = await entriesOf([fixture('ratings.csv')]);
    expect(film(entries, 'Paddington 2').review).toMatchObject({ score: { value: 4.5, max: 5 }, rating: 90, body: '', scoreText: '4.5 out of 5' });
    expect(film(entries, 'The Room').review).toMatchObject({ score: { value: 0.5, max: 5 }, rating: 10 });
    expect(film(entries, 'Cats').review).toMatchObject({ score: { value: 1, max: 5 }, rating: 20 });
  });

  it('makes one review of a rating and a written review of the same film', async () => {
    const entries = await entriesOf([fixture('reviews.csv'), fixture('ratings.csv')]);
    const parasite = items(entries).filter((i) => i.work.title === 'Parasite');
    expect(parasite).toHaveLength(1);
    expect(parasite[0]!.review).toMatchObject({
      score: { value: 4.5, max: 5 },
      body: 'A *perfect* film about class.\n\nThe **stairs** say everything.',
      publishedAt: '2019-11-02',
      status: 'published',
    });
    expect(refOf(entries, 'Parasite')).toBe('reviews.csv line 2 (Parasite, 2019)');
  });

  it('imports ratings without a review as score-only reviews with an empty body', async () => {
    const entries = await entriesOf([await exportZip()]);
    const paddington = film(entries, 'Paddington 2');
    expect(paddington.review).toMatchObject({ body: '', score: { value: 4.5, max: 5 }, publishedAt: '2018-03-03' });
    expect(refOf(entries, 'Paddington 2')).toBe('ratings.csv line 4 (Paddington 2, 2017)');
  });

  it('records diary watches: the latest watch date, how many times, and the tags', async () => {
    const entries = await entriesOf([await exportZip()]);
    expect(film(entries, 'Paddington 2').entry).toEqual({
      status: 'completed',
      progress: null,
      startedOn: null,
      finishedOn: '2023-12-24',
      timesWatched: 2,
      tags: ['comfort', 'family', 'christmas'],
    });
    expect(film(entries, 'Parasite').entry).toMatchObject({ finishedOn: '2019-11-01', timesWatched: 1 });
    expect(film(entries, 'Parasite').entry?.tags.sort()).toEqual(['cinema', 'korea']);
    // Logged but never rated: a list entry and no review.
    expect(film(entries, 'Past Lives')).toMatchObject({ review: null, entry: { finishedOn: '2024-01-04', timesWatched: 1 } });
    // Only marked as watched: no date is known.
    expect(film(entries, 'Stalker')).toMatchObject({ review: null, entry: { status: 'completed', finishedOn: null, timesWatched: null } });
  });

  it('keeps every word of a rewatched film’s reviews in one body, newest first, each under its date', async () => {
    const entries = await entriesOf([await exportZip()]);
    const portrait = film(entries, 'Portrait of a Lady on Fire');
    const body = portrait.review!.body;
    expect(body).toBe(
      [
        '## 2021-05-30 (rewatch, 4.5 out of 5)',
        '',
        'Second time:',
        '',
        "> Do all lovers feel like they're inventing something?",
        '',
        'Still true. [An essay](https://example.org/essay) said it better.',
        '',
        '## 2020-02-09 (5 out of 5)',
        '',
        'Look back.\\',
        'Turn the page.',
      ].join('\n'),
    );
    // The film's current rating (ratings.csv) is the score; the older review's date is its publication.
    expect(portrait.review).toMatchObject({ score: { value: 5, max: 5 }, publishedAt: '2020-02-10' });
    expect(portrait.entry).toMatchObject({ timesWatched: 2, finishedOn: '2021-05-30' });
    expect(portrait.warnings.join('\n')).toMatch(/2 written reviews .* kept in one review, newest first/);
    expect(portrait.warnings.join('\n')).toMatch(/rated it 4\.5 out of 5.*current rating, 5 out of 5/);
  });

  it('keeps a multiline quoted review whole, with its commas, quotes and paragraphs', async () => {
    const entries = await entriesOf([fixture('reviews.csv')]);
    expect(film(entries, 'Crouching Tiger, Hidden Dragon').review!.body).toBe(
      'Multi-line review,\\\nwith a comma and a "quoted" word.\n\nA second paragraph, after a blank line.',
    );
    // Line numbers count the lines inside quoted reviews.
    expect(refOf(entries, 'Crouching Tiger, Hidden Dragon')).toBe('reviews.csv line 7 (Crouching Tiger, Hidden Dragon, 2000)');
    expect(refOf(entries, 'Portrait of a Lady on Fire')).toBe('reviews.csv line 5 (Portrait of a Lady on Fire, 2019)');
  });

  it('turns the HTML of a review into Markdown and lets no HTML through', async () => {
    const review = [
      '<b>Bold</b>, <i>italic</i>, <a href="https://example.org/a">a link</a>, <a href="javascript:alert(1)">a trap</a>.',
      '',
      '<blockquote>A quote.</blockquote>',
      'Line one<br>line two',
      '',
      '<script>alert("x")</script>Typed as text: &lt;script&gt;alert(1)&lt;/script&gt; and <img src=x onerror=alert(1)>',
    ].join('\n');
    const csv = `Date,Name,Year,Letterboxd URI,Rating,Rewatch,Review,Tags,Watched Date\n2023-03-01,Aftersun,2022,https://boxd.it/x,5,,"${review.replaceAll('"', '""')}",,2023-02-28\n`;
    const entries = await entriesOf([tempFile('reviews.csv', csv)]);
    const body = film(entries, 'Aftersun').review!.body;
    expect(body).toContain('**Bold**, *italic*, [a link](https://example.org/a), a trap.');
    expect(body).toContain('> A quote.');
    expect(body).toContain('Line one\\\nline two');
    expect(body).not.toContain('javascript:');
    expect(body).not.toContain('alert("x")');
    // What remains of tags is escaped text: no unescaped `<` opens a tag.
    expect(body).not.toMatch(/(?<!\\)<[a-z/!?]/i);
    expect(body).toContain('\\<script>alert(1)\\</script>');
  });

  it('keeps plain-text reviews as the words typed: Markdown characters and spoiler pipes stay literal', async () => {
    const review = '- not a list\n1. not a numbered list\n*not emphasis* and a || b\n\n  Spaces   collapse, as on the site.';
    const csv = `Date,Name,Year,Letterboxd URI,Rating,Rewatch,Review,Tags,Watched Date\n2023-03-01,Tár,2022,https://boxd.it/y,,,"${review}",,2023-02-28\n`;
    const entries = await entriesOf([tempFile('reviews.csv', csv)]);
    expect(film(entries, 'Tár').review).toMatchObject({
      body: '\\- not a list\\\n1\\. not a numbered list\\\n\\*not emphasis\\* and a \\|\\| b\n\nSpaces collapse, as on the site.',
      hasSpoilers: false,
      score: null,
      publishedAt: '2023-03-01',
    });
  });

  it('reports rows it cannot read, naming file, line, column and value, and carries on', async () => {
    const entries = await entriesOf([fixture('bad-rows.csv')]);
    expect(errors(entries)).toEqual([
      { ref: 'bad-rows.csv line 2', error: 'bad-rows.csv line 2, column Name: the film has no name' },
      { ref: 'bad-rows.csv line 3 (Tenet, 20x0)', error: 'bad-rows.csv line 3, column Year: "20x0" is not a year' },
      { ref: 'bad-rows.csv line 4 (Memento, 2000)', error: 'bad-rows.csv line 4, column Rating: "4.7" is not a Letterboxd rating (0.5 to 5, in half stars)' },
      { ref: 'bad-rows.csv line 5 (Inception, 2010)', error: 'bad-rows.csv line 5, column Rating: "six" is not a Letterboxd rating (0.5 to 5, in half stars)' },
      { ref: 'bad-rows.csv line 6 (Insomnia, 2002)', error: 'bad-rows.csv line 6, column Rating: "0" is not a Letterboxd rating (0.5 to 5, in half stars)' },
      { ref: 'bad-rows.csv line 8 (Following, 1998)', error: 'bad-rows.csv line 8, column Watched Date: "2020-13-07" is not a date (YYYY-MM-DD)' },
    ]);
    expect(items(entries).map((i) => i.work.title)).toEqual(['Dunkirk']);
    expect(film(entries, 'Dunkirk').review).toMatchObject({ score: { value: 4, max: 5 }, body: 'Fine row.' });
  });

  it('recognises a file by its header, whatever its name', async () => {
    const renamed = tempFile('export (1).csv', read('ratings.csv'));
    const entries = await entriesOf([renamed]);
    expect(film(entries, 'The Room').review?.score).toEqual({ value: 0.5, max: 5 });
    expect(refOf(entries, 'The Room')).toBe('export (1).csv line 5 (The Room, 2003)');
  });

  it('ignores the watchlist, lists, likes, profile and comments without an error', async () => {
    const entries = await entriesOf(['watchlist.csv', 'profile.csv', 'comments.csv', 'lists/comfort-films.csv', 'likes/films.csv'].map(fixture));
    expect(entries).toEqual([]);
  });

  it('reads UTF-16 with a byte-order mark like UTF-8', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(read('ratings.csv').toString('utf8'), 'utf16le')]);
    const fromUtf16 = await entriesOf([tempFile('ratings.csv', utf16)]);
    expect(fromUtf16).toEqual(await entriesOf([fixture('ratings.csv')]));
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), read('ratings.csv')]);
    expect(await entriesOf([tempFile('ratings.csv', withBom)])).toEqual(await entriesOf([fixture('ratings.csv')]));
  });

  it('refuses files that are not Letterboxd CSVs, naming them', async () => {
    const unknown = fixture('not-letterboxd.csv');
    await expect(entriesOf([unknown])).rejects.toThrow(AppError);
    await expect(entriesOf([unknown])).rejects.toThrow(/not-letterboxd\.csv: not a Letterboxd export file: its header row \("title,year,score"\)/);

    const binary = tempFile('ratings.csv', Buffer.concat([read('ratings.csv'), Buffer.from([0, 1, 2, 0])]));
    await expect(entriesOf([binary])).rejects.toThrow(/ratings\.csv: not a CSV file: it holds NUL bytes/);

    const empty = tempFile('diary.csv', '');
    await expect(entriesOf([empty])).rejects.toThrow(/diary\.csv: the file is empty/);

    await expect(entriesOf([join(tmp, 'missing.csv')])).rejects.toThrow(/missing\.csv: no such file/);
    await expect(entriesOf([tempFile('export.zip', 'Date,Name,Year\n')])).rejects.toThrow(/export\.zip: not a ZIP archive/);
  });
});

describe('a hostile or damaged Letterboxd archive', () => {
  it('refuses entry names that point outside the archive', async () => {
    const traversal = await zipOf([
      ['ratings.csv', read('ratings.csv')],
      ['xx/evil.csv', 'Date,Name,Year,Letterboxd URI\n'],
    ]);
    const dotted = tempFile('dotted.zip', Buffer.from(traversal.toString('latin1').replaceAll('xx/evil.csv', '../evil.csv'), 'latin1'));
    await expect(entriesOf([dotted])).rejects.toThrow(AppError);
    await expect(entriesOf([dotted])).rejects.toThrow(/dotted\.zip: refused: .*"\.\.\/evil\.csv"/);

    const absolute = await zipOf([['_etc/passwd.csv', 'Date,Name,Year,Letterboxd URI\n']]);
    const rooted = tempFile('rooted.zip', Buffer.from(absolute.toString('latin1').replaceAll('_etc/passwd.csv', '/etc/passwd.csv'), 'latin1'));
    await expect(entriesOf([rooted])).rejects.toThrow(/rooted\.zip: refused: .*"\/etc\/passwd\.csv"/);
  });

  it('refuses an archive with too many entries', async () => {
    const many = await zipOf(Array.from({ length: 6 }, (_, i) => [`lists/list-${i}.csv`, 'Letterboxd list export v7\n'] as [string, string]));
    await expect(entriesOf([tempFile('many.zip', many)], { maxEntries: 5 })).rejects.toThrow(/many\.zip: refused: the archive holds 6 entries/);
  });

  it('refuses a zip bomb by its declared size', async () => {
    const huge = `Date,Name,Year,Letterboxd URI,Rating\n${'2020-01-01,Cats,2019,https://boxd.it/f5,1\n'.repeat(100_000)}`;
    const bomb = await zipOf([['ratings.csv', huge]]);
    expect(bomb.length).toBeLessThan(huge.length / 50);
    await expect(entriesOf([tempFile('bomb.zip', bomb)], { maxEntryBytes: 1024 * 1024 })).rejects.toThrow(/bomb\.zip: refused: ratings\.csv would inflate to/);
    await expect(entriesOf([tempFile('bomb.zip', bomb)], { maxTotalBytes: 1024 * 1024 })).rejects.toThrow(/bomb\.zip: refused: the archive would inflate to more than/);
  });

  it('refuses a zip bomb that lies about its size, by the bytes actually inflated', async () => {
    const huge = `Date,Name,Year,Letterboxd URI,Rating\n${'2020-01-01,Cats,2019,https://boxd.it/f5,1\n'.repeat(100_000)}`;
    const zip = await zipOf([['ratings.csv', huge]]);
    // Rewrite the size the central directory declares to a harmless 1,000 bytes.
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(zip.readUInt32LE(central + 24)).toBe(Buffer.byteLength(huge));
    zip.writeUInt32LE(1000, central + 24);
    const liar = tempFile('liar.zip', zip);
    const entries: SourceEntry[] = [];
    await expect(
      (async () => {
        for await (const entry of parseLetterboxd([liar], { maxEntryBytes: 1024 * 1024 })) entries.push(entry);
      })(),
    ).rejects.toThrow(/liar\.zip: refused: ratings\.csv inflates to/);
    expect(entries).toEqual([]);
  });

  it('refuses a truncated archive, naming it', async () => {
    const whole = await zipOf(EXPORT_FILES);
    for (const cut of [whole.length - 10, Math.floor(whole.length / 2), 30]) {
      const path = tempFile('truncated.zip', whole.subarray(0, cut));
      await expect(entriesOf([path])).rejects.toThrow(/truncated\.zip: .*truncated or damaged/);
    }
  });

  it('refuses NUL bytes inside an archived CSV, and reads UTF-16 ones', async () => {
    const nul = await zipOf([['ratings.csv', Buffer.concat([read('ratings.csv'), Buffer.from([0, 0, 0])])]]);
    await expect(entriesOf([tempFile('nul.zip', nul)])).rejects.toThrow(/nul\.zip: ratings\.csv: not a CSV file: it holds NUL bytes/);

    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(read('ratings.csv').toString('utf8'), 'utf16le')]);
    const entries = await entriesOf([tempFile('utf16.zip', await zipOf([['ratings.csv', utf16]]))]);
    expect(film(entries, 'Paddington 2').review?.score).toEqual({ value: 4.5, max: 5 });
  });

  it('refuses an archive with no Letterboxd files in it', async () => {
    const other = await zipOf([['notes.txt', 'hello'], ['lists/x.csv', 'Letterboxd list export v7\n']]);
    await expect(entriesOf([tempFile('other.zip', other)])).rejects.toThrow(/other\.zip: no Letterboxd reviews, ratings, diary or watched films/);
  });

  it('reads an export re-zipped inside a folder, and stored without compression', async () => {
    const wrapped = await zipOf(
      EXPORT_FILES.map(([n, c]) => [`letterboxd-cinephile/${n}`, c] as [string, string | Buffer]),
      false,
    );
    const entries = await entriesOf([tempFile('wrapped.zip', wrapped)]);
    expect(items(entries)).toHaveLength(8);
    expect(items(entries).some((i) => i.work.title === 'Amélie' || i.work.title === 'Dune: Part Two')).toBe(false);
  });
});
