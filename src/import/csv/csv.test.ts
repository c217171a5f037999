import { createReadStream, readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { formatScore, ratingFromScore } from '../../reviews/score.js';
import { AppError } from '../../shared/errors.js';
import type { ParsedListEntry, ParsedReview, Score, SourceEntry, SourceItem } from '../import.types.js';
import { writeCsvExport } from './csv.export.js';
import { parseCsvImport } from './csv.parse.js';
import { CSV_COLUMNS } from './csv.columns.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function entriesOf(input: Readable, name = 'works.csv'): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [];
  for await (const entry of parseCsvImport(input, name)) out.push(entry);
  return out;
}
const fromText = (text: string | Buffer, name?: string) => entriesOf(Readable.from([Buffer.from(text)]), name);
const items = (entries: SourceEntry[]) => entries.flatMap((e) => ('item' in e ? [e.item] : []));
const errors = (entries: SourceEntry[]) => entries.flatMap((e) => ('error' in e ? [e] : []));

/** A Writable that takes its time over every chunk and holds very little, as a slow disk or socket does. */
function slowSink(): { sink: Writable; text: () => string; waits: () => number } {
  const chunks: Buffer[] = [];
  let waits = 0;
  const sink = new Writable({
    highWaterMark: 64,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      setImmediate(callback);
    },
  });
  const write = sink.write.bind(sink);
  sink.write = ((...args: Parameters<Writable['write']>) => {
    const ok = write(...args);
    if (!ok) waits++;
    return ok;
  }) as Writable['write'];
  return { sink, text: () => Buffer.concat(chunks).toString('utf8'), waits: () => waits };
}

async function exportText(list: SourceItem[]): Promise<{ text: string; written: number; waits: number }> {
  const { sink, text, waits } = slowSink();
  const { written } = await writeCsvExport(
    (async function* () {
      yield* list;
    })(),
    sink,
  );
  return { text: text(), written, waits: waits() };
}

function review(fields: Partial<ParsedReview> & { score?: Score | null } = {}): ParsedReview {
  const score = fields.score ?? null;
  const body = fields.body ?? '';
  return {
    headline: null,
    summary: null,
    scoreText: score ? formatScore(score) : null,
    rating: score ? ratingFromScore(score) : null,
    hasSpoilers: false,
    publishedAt: null,
    status: 'published',
    ...fields,
    score,
    body,
  };
}

function entry(fields: Partial<ParsedListEntry> = {}): ParsedListEntry {
  return { status: null, progress: null, startedOn: null, finishedOn: null, timesWatched: null, tags: [], ...fields };
}

function item(title: string, fields: { work?: Partial<SourceItem['work']>; review?: ParsedReview | null; entry?: ParsedListEntry | null; sourceUrl?: string | null } = {}): SourceItem {
  return {
    work: {
      title,
      altTitles: [],
      kind: null,
      year: null,
      synopsis: null,
      credits: [],
      studios: [],
      platforms: [],
      tags: [],
      externalIds: {},
      episodes: null,
      ...fields.work,
    },
    review: fields.review === undefined ? review({ score: { value: 3, max: 5 } }) : fields.review,
    entry: fields.entry ?? null,
    sourceUrl: fields.sourceUrl ?? null,
    warnings: [],
  };
}

const HOSTILE_ITEMS: SourceItem[] = [
  item('=HYPERLINK("http://x")', { review: review({ score: { value: 4.5, max: 5 }, body: '=1+1 is not a formula here.', publishedAt: '2022-05-06' }) }),
  item('-5 Centimeters', {
    work: { year: 2007, kind: 'anime_film', altTitles: [{ title: 'Byōsoku 5 Senchimētoru', type: 'romaji' }, { title: '秒速5センチメートル', type: 'original' }, { title: 'english: not a type', type: 'other' }] },
    review: review({ score: { value: 86, max: 100 }, headline: '+ and - in a headline', summary: '@everyone: watch it', body: '\tStarts with a tab.\r\nCRLF kept.', publishedAt: '2022-05-06T10:30:00.000Z' }),
    entry: entry({ status: 'completed', finishedOn: '2021-12-31', timesWatched: 3, tags: ['-minus-tag', 'rain'] }),
  }),
  item('+1 Season', { review: review({ body: '\rA review that starts with a carriage return.' }) }),
  item('@home', { review: null, entry: entry({ status: 'plan_to_watch' }) }),
  item("'=already quoted", { review: review({ score: { value: 0, max: 10 }, body: "'-5 too" }) }),
  item('He said "no", twice', { review: review({ body: 'Quotes "inside", commas, and\nnew lines.\n\n||A spoiler.||', hasSpoilers: true }) }),
  item('Two\nlines, in a title', { review: review({ score: { value: 7, max: 10 } }) }),
  item('Mushishi', {
    work: {
      year: 2005,
      kind: 'anime_series',
      episodes: 26,
      credits: [
        { role: 'director', name: 'Hiroshi Nagahama' },
        { role: 'writer', name: 'Hiroshi Nagahama' },
        { role: 'music', name: 'Toshio Masuda' },
      ],
      studios: ['Artland', 'A;B Studio'],
      platforms: ['Crunchyroll', 'Netflix'],
      tags: ['iyashikei', 'supernatural'],
      externalIds: { mal: '457', anilist: '457', imdb: 'tt0807832', tmdb: '12345' },
    },
    review: review({ score: { value: 9, max: 10 }, body: '# Heading\n\nQuiet, *patient*.\n', publishedAt: '2021-04-02' }),
    entry: entry({ status: 'on_hold', progress: 20, startedOn: '2021-03-01', tags: ['favourites; the best', 'calm'] }),
    sourceUrl: 'https://blog.example.org/mushishi?a=1&b=2',
  }),
  item('Frieren', { review: null, entry: entry({ progress: 12 }) }),
];

describe('the CSV export', () => {
  it('comes back identical through the importer, hostile titles and all', async () => {
    const { text, written } = await exportText(HOSTILE_ITEMS);
    expect(written).toBe(HOSTILE_ITEMS.length);
    const back = await fromText(text, 'export.csv');
    expect(errors(back)).toEqual([]);
    expect(items(back)).toEqual(HOSTILE_ITEMS);
  });

  it('neutralises every cell a spreadsheet would run as a formula', async () => {
    const { text } = await exportText(HOSTILE_ITEMS);
    expect(text.startsWith('\uFEFFtitle,year,kind,episodes,score,scale,headline,summary,review,date,status,')).toBe(true);
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(text).toContain("'-5 Centimeters");
    expect(text).toContain("''=already quoted");
    const rows = parse(text.slice(1), { relax_column_count: false }) as string[][];
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    for (const row of rows.slice(1)) {
      expect(row).toHaveLength(CSV_COLUMNS.length);
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
    // RFC 4180: CRLF between records, quotes doubled inside quoted cells.
    expect(text).toContain('\r\n');
    expect(text).toContain('"He said ""no"", twice"');
  });

  it('writes numbers plainly: scores, years and counts', async () => {
    const { text } = await exportText([HOSTILE_ITEMS[1]!]);
    const [, row] = parse(text.slice(1)) as string[][];
    const at = (column: string) => row![CSV_COLUMNS.indexOf(column as (typeof CSV_COLUMNS)[number])];
    expect([at('year'), at('score'), at('scale'), at('times_watched')]).toEqual(['2007', '86', '100', '3']);
  });

  it('waits for a slow destination and writes every row', async () => {
    const many = Array.from({ length: 2000 }, (_, i) => item(`Work ${i}`, { work: { year: 2000 + (i % 20) }, review: review({ score: { value: 4.5, max: 5 }, body: 'Words. '.repeat(20) }) }));
    const { text, written, waits } = await exportText(many);
    expect(written).toBe(2000);
    expect(waits).toBeGreaterThan(0);
    expect(items(await fromText(text))).toEqual(many);
  });

  it('leaves draft reviews out: the format cannot say a review is a draft', async () => {
    const draft = item('Unfinished thoughts', { review: review({ body: 'Not ready.', status: 'draft' }) });
    const { text, written } = await exportText([draft, HOSTILE_ITEMS[7]!]);
    expect(written).toBe(1);
    expect(text).not.toContain('Unfinished thoughts');
  });

  it('writes just the header when there is nothing to export', async () => {
    const { text, written } = await exportText([]);
    expect(written).toBe(0);
    expect(text).toBe(`\uFEFF${CSV_COLUMNS.join(',')}\r\n`);
  });
});

describe('the CSV import', () => {
  it('reads a hand-written file: columns in any order, several values per cell, list-only rows', async () => {
    const entries = await entriesOf(createReadStream(fixture('works.csv')), fixture('works.csv'));
    expect(entries.map((e) => e.ref)).toEqual([
      'works.csv line 2 (Mushishi, 2005)',
      'works.csv line 5 (Frieren, 2023)',
      'works.csv line 6 (=HYPERLINK("http://x","click"), 2001)',
      'works.csv line 7 (Spirited Away, 2001)',
      'works.csv line 8 (Akira, 1988)',
      'works.csv line 9 (Your Name, 20x6)',
      'works.csv line 11 (Perfect Blue, 1997)',
    ]);
    const [mushishi, frieren, hostile, , akira] = entries.map((e) => ('item' in e ? e.item : undefined));
    expect(mushishi).toEqual(
      item('Mushishi', {
        work: {
          year: 2005,
          kind: 'anime_series',
          altTitles: [
            { title: 'Mushi-shi', type: 'romaji' },
            { title: '蟲師', type: 'original' },
          ],
          credits: [{ role: 'director', name: 'Hiroshi Nagahama' }],
          studios: ['Artland'],
          platforms: ['Crunchyroll', 'Netflix'],
          tags: ['iyashikei', 'supernatural'],
          externalIds: { mal: '457' },
        },
        review: review({ score: { value: 9, max: 10 }, body: 'Quiet, patient, **wonderful**.\n\nSecond paragraph.', publishedAt: '2021-04-02' }),
        entry: entry({ status: 'completed', progress: 26, finishedOn: '2021-03-30', timesWatched: 2, tags: ['favourites', 'calm'] }),
        sourceUrl: 'https://blog.example.org/mushishi',
      }),
    );
    expect(mushishi?.review).toMatchObject({ rating: 90, scoreText: '9 out of 10' });
    // Only list data: no review at all.
    expect(frieren).toMatchObject({ review: null, entry: { status: 'watching', progress: 12 }, work: { studios: ['Madhouse'] } });
    expect(akira).toMatchObject({ review: null, entry: { status: 'dropped' } });
    // The quote the exporter puts before a formula comes off again.
    expect(hostile?.work.title).toBe('=HYPERLINK("http://x","click")');
    expect(hostile?.review).toMatchObject({ score: { value: 3.5, max: 5 }, rating: 70, publishedAt: '2022-05-06T10:30:00Z' });
  });

  it('reports bad rows with file, line and column, and carries on', async () => {
    const entries = await entriesOf(createReadStream(fixture('works.csv')), fixture('works.csv'));
    expect(errors(entries)).toEqual([
      {
        ref: 'works.csv line 7 (Spirited Away, 2001)',
        error: 'works.csv line 7, column score: 12 out of 10 is not a score Kansou keeps (the scale is 4, 5, 10, 20 or 100, the score between 0 and the scale)',
      },
      { ref: 'works.csv line 9 (Your Name, 20x6)', error: 'works.csv line 9, column year: "20x6" is not a year (four digits)' },
      {
        ref: 'works.csv line 11 (Perfect Blue, 1997)',
        error: 'works.csv line 11, column status: "finished" is not one of watching, completed, on_hold, dropped, plan_to_watch',
      },
    ]);
    const more = await fromText('title,score,scale,review\nNo Scale,8,,Text\n,4,5,No title\nLone Scale,,10,\nToo Many,,,,extra\n');
    expect(more).toEqual([
      { ref: 'works.csv line 2 (No Scale)', error: 'works.csv line 2, column scale: the score 8 has no scale (5, 10, 100…): a score without one cannot be read' },
      { ref: 'works.csv line 3', error: 'works.csv line 3, column title: the title is empty' },
      { ref: 'works.csv line 4 (Lone Scale)', item: item('Lone Scale', { review: null }) },
      { ref: 'works.csv line 5 (Too Many)', error: 'works.csv line 5: the row has 5 cells, but the header names 4 columns' },
    ]);
  });

  it('refuses a header with unknown columns, naming them, and one without a title', async () => {
    const unknown = entriesOf(createReadStream(fixture('unknown-column.csv')), 'unknown-column.csv');
    await expect(unknown).rejects.toThrow(AppError);
    await expect(entriesOf(createReadStream(fixture('unknown-column.csv')), 'unknown-column.csv')).rejects.toThrow(
      /unknown-column\.csv: unknown column "rating" in the header row/,
    );
    await expect(fromText('Title,Year,Score,Stars,Notes\n')).rejects.toThrow(/unknown columns "stars", "notes"/);
    await expect(fromText('year,score\n2001,4\n')).rejects.toThrow(/no "title" column/);
    await expect(fromText('title,year,title\n')).rejects.toThrow(/"title" appears twice/);
    await expect(fromText('')).rejects.toThrow(/works\.csv: the file is empty/);
  });

  it('reads UTF-8 with or without a byte-order mark, and UTF-16 with one', async () => {
    const text = 'title,alt_titles,year\n千と千尋の神隠し,english: Spirited Away,2001\n';
    const expected = [item('千と千尋の神隠し', { work: { year: 2001, altTitles: [{ title: 'Spirited Away', type: 'english' }] }, review: null })];
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    for (const bytes of [Buffer.from(text), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), le, be]) {
      expect(items(await fromText(bytes))).toEqual(expected);
      // Byte by byte, so the mark and every multi-byte character are split across chunks.
      expect(items(await entriesOf(Readable.from([...bytes].map((b) => Buffer.from([b])))))).toEqual(expected);
    }
  });

  it('refuses binary and non-UTF-8 files, naming them', async () => {
    await expect(fromText(Buffer.from('title\nA\u0000B\n'), 'data.csv')).rejects.toThrow(/data\.csv: not a CSV file: it holds NUL bytes/);
    const nulInUtf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('title\nA\u0000B\n', 'utf16le')]);
    await expect(fromText(nulInUtf16, 'data.csv')).rejects.toThrow(/data\.csv: not a CSV file: it holds NUL characters/);
    await expect(fromText(Buffer.from([0x74, 0x69, 0x74, 0x6c, 0x65, 0x0a, 0xe9, 0x0a]), 'latin1.csv')).rejects.toThrow(/latin1\.csv: not valid UTF-8 text/);
    await expect(fromText('title,review\nA,"never closed\n', 'open.csv')).rejects.toThrow(/open\.csv: not a readable CSV file/);
  });

  it('imports a review of a megabyte', async () => {
    const paragraph = `${'A long, "quoted", thoughtful sentence about the film. '.repeat(20)}\n\n`;
    const body = paragraph.repeat(Math.ceil((1024 * 1024) / paragraph.length));
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const big = item('Shoah', { work: { year: 1985, kind: 'film' }, review: review({ score: { value: 5, max: 5 }, body }) });
    const { text } = await exportText([big, HOSTILE_ITEMS[0]!]);
    const back = await fromText(text);
    expect(errors(back)).toEqual([]);
    expect(items(back)).toEqual([big, HOSTILE_ITEMS[0]]);
    expect(back[1]!.ref).toBe(`works.csv line ${2 + (body.match(/\n/g)?.length ?? 0) + 1} (=HYPERLINK("http://x"))`);
  });
});
