import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { ParsedListEntry, ParsedReview, SourceItem } from '../import.types.js';
import { writeMalExport, type MalExportInfo } from './mal.export.js';
import { parseMalExport } from './mal.parse.js';

const INFO: MalExportInfo = {
  userName: 'kansou_tester',
  counts: { total: 3, watching: 1, completed: 1, on_hold: 0, dropped: 0, plan_to_watch: 1 },
};

function review(overrides: Partial<ParsedReview> = {}): ParsedReview {
  return {
    headline: null,
    summary: null,
    score: { value: 9, max: 10 },
    scoreText: '9/10',
    rating: 90,
    body: 'See you, space cowboy.',
    hasSpoilers: false,
    publishedAt: '2019-02-10',
    status: 'published',
    ...overrides,
  };
}

function entry(overrides: Partial<ParsedListEntry> = {}): ParsedListEntry {
  return { status: 'completed', progress: 26, startedOn: '2019-01-05', finishedOn: '2019-02-10', timesWatched: 1, tags: [], ...overrides };
}

interface ItemOverrides {
  title?: string;
  mal?: string | null;
  kind?: SourceItem['work']['kind'];
  episodes?: number | null;
  review?: ParsedReview | null;
  entry?: ParsedListEntry | null;
}

function item(overrides: ItemOverrides = {}): SourceItem {
  const mal = overrides.mal === undefined ? '1' : overrides.mal;
  return {
    work: {
      title: overrides.title ?? 'Cowboy Bebop',
      altTitles: [],
      kind: overrides.kind === undefined ? 'anime_series' : overrides.kind,
      year: 1998,
      synopsis: null,
      credits: [],
      studios: [],
      platforms: [],
      tags: [],
      externalIds: mal === null ? {} : { mal },
      episodes: overrides.episodes === undefined ? 26 : overrides.episodes,
    },
    review: overrides.review === undefined ? review() : overrides.review,
    entry: overrides.entry === undefined ? entry() : overrides.entry,
    warnings: [],
  };
}

async function* each<T>(values: T[]): AsyncGenerator<T> {
  yield* values;
}

async function exportOf(items: SourceItem[], info: MalExportInfo = INFO): Promise<{ xml: string; written: number; skipped: number }> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const result = await writeMalExport(each(items), out, info);
  return { xml: Buffer.concat(chunks).toString('utf8'), ...result };
}

async function parsedBack(xml: string | Buffer): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const e of parseMalExport(Readable.from([Buffer.from(xml)]))) {
    if (!('item' in e)) throw new Error(`${e.ref}: ${'error' in e ? e.error : e.skip}`);
    items.push(e.item);
  }
  return items;
}

/** What an independent XML parser (not the one the importer uses) sees in the file. */
function readIndependently(xml: string): { myinfo: Record<string, string>; anime: Record<string, string>[] } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'anime' }).parse(xml) as {
    myanimelist: { myinfo: Record<string, string>; anime?: Record<string, string>[] };
  };
  return { myinfo: doc.myanimelist.myinfo, anime: doc.myanimelist.anime ?? [] };
}

function elementNames(block: string): string[] {
  return Array.from(block.matchAll(/^\s*<([a-z_]+)>/gmu), (m) => m[1] ?? '');
}

describe('the file MyAnimeList imports', () => {
  it('starts with <myinfo> and writes one <anime> per item, asking MyAnimeList to update existing entries', async () => {
    const { xml, written, skipped } = await exportOf([item(), item({ mal: '5', title: 'Cowboy Bebop: Tengoku no Tobira', kind: 'anime_film' })]);
    expect({ written, skipped }).toEqual({ written: 2, skipped: 0 });
    expect(xml.indexOf('<myinfo>')).toBeLessThan(xml.indexOf('<anime>'));
    const { myinfo, anime } = readIndependently(xml);
    expect(myinfo).toEqual({
      user_id: '0',
      user_name: 'kansou_tester',
      user_export_type: '1',
      user_total_anime: '3',
      user_total_watching: '1',
      user_total_completed: '1',
      user_total_onhold: '0',
      user_total_dropped: '0',
      user_total_plantowatch: '1',
    });
    expect(anime.map((a) => [a.series_animedb_id, a.series_title, a.update_on_import])).toEqual([
      ['1', 'Cowboy Bebop', '1'],
      ['5', 'Cowboy Bebop: Tengoku no Tobira', '1'],
    ]);
  });

  it("writes the elements of an <anime> in the order of MyAnimeList's own 1.1.0 export", async () => {
    const sample = readFileSync(new URL('./fixtures/anime-list-1.1.0.xml', import.meta.url), 'utf8');
    const sampleAnime = sample.slice(sample.indexOf('<anime>') + '<anime>'.length, sample.indexOf('</anime>'));
    const expected = elementNames(sampleAnime).filter((name) => name !== 'my_favourite_scene');
    const { xml } = await exportOf([item()]);
    const written = xml.slice(xml.indexOf('<anime>') + '<anime>'.length, xml.indexOf('</anime>'));
    expect(elementNames(written)).toEqual(expected);
  });

  it('writes the list entry and the review in MyAnimeList terms', async () => {
    const { xml } = await exportOf([
      item({ entry: entry({ status: 'on_hold', progress: 3, startedOn: '2019-05-01', finishedOn: null, timesWatched: 0, tags: ['space', 'jazz'] }) }),
    ]);
    const [anime] = readIndependently(xml).anime;
    expect(anime).toMatchObject({
      series_type: 'TV',
      series_episodes: '26',
      my_watched_episodes: '3',
      my_start_date: '2019-05-01',
      my_finish_date: '0000-00-00',
      my_score: '9',
      my_status: 'On-Hold',
      my_comments: 'See you, space cowboy.',
      my_times_watched: '0',
      my_tags: 'space, jazz',
    });
  });

  it('skips items without a MyAnimeList id and counts them', async () => {
    const { xml, written, skipped } = await exportOf([item({ mal: null, title: 'Twin Peaks' }), item(), item({ mal: 'tt0098936', title: 'An IMDb id' })]);
    expect({ written, skipped }).toEqual({ written: 1, skipped: 2 });
    expect(readIndependently(xml).anime.map((a) => a.series_title)).toEqual(['Cowboy Bebop']);
  });

  it('converts the 0–100 rating to a whole score from 1 to 10, and no score to 0', async () => {
    const ratings = [100, 90, 85, 70, 44, 3, 0, null];
    const scored = (rating: number | null) => review({ rating, score: rating === null ? null : { value: rating, max: 100 } });
    const { xml } = await exportOf(ratings.map((rating, i) => item({ mal: String(i + 1), review: scored(rating) })));
    expect(readIndependently(xml).anime.map((a) => a.my_score)).toEqual(['10', '9', '9', '7', '4', '1', '1', '0']);
  });

  it('writes an item without a review as unscored, with empty comments', async () => {
    const { xml } = await exportOf([item({ review: null, entry: entry({ status: 'plan_to_watch', progress: 0, startedOn: null, finishedOn: null }) })]);
    expect(readIndependently(xml).anime[0]).toMatchObject({ my_score: '0', my_comments: '', my_status: 'Plan to Watch' });
  });

  it('gives MyAnimeList the status it requires when the item has none', async () => {
    const { xml } = await exportOf([item({ entry: null }), item({ mal: '2', entry: null, review: null })]);
    expect(readIndependently(xml).anime.map((a) => a.my_status)).toEqual(['Completed', 'Plan to Watch']);
  });

  it('writes each kind as a MyAnimeList type, and kinds MyAnimeList has not as Unknown', async () => {
    const kinds = ['anime_series', 'anime_film', 'ova', 'ona', 'special', 'other', null] as const;
    const { xml } = await exportOf(kinds.map((kind, i) => item({ mal: String(i + 1), kind })));
    expect(readIndependently(xml).anime.map((a) => a.series_type)).toEqual(['TV', 'Movie', 'OVA', 'ONA', 'Special', 'Unknown', 'Unknown']);
  });

  it('keeps text that looks like markup or closes CDATA, and escapes the user name', async () => {
    const body = 'Best line: "]]>" is how CDATA ends; <b>bold</b> & such]]>';
    const { xml } = await exportOf([item({ title: 'Steins;Gate ]]> <0>', review: review({ body }) })], { ...INFO, userName: 'Tom & <Jerry>' });
    const { myinfo, anime } = readIndependently(xml);
    expect(myinfo.user_name).toBe('Tom & <Jerry>');
    expect(anime[0]).toMatchObject({ series_title: 'Steins;Gate ]]> <0>', my_comments: body });
  });

  it('drops characters XML cannot carry, so the file still opens', async () => {
    const { xml } = await exportOf([item({ title: 'Bell\u0007 Tower', review: review({ body: 'nul\u0000 and form feed\u000C gone' }) })]);
    expect(readIndependently(xml).anime[0]).toMatchObject({ series_title: 'Bell Tower', my_comments: 'nul and form feed gone' });
  });
});

describe('writing to a slow destination', () => {
  it('waits for it instead of buffering the whole export', async () => {
    const chunks: Buffer[] = [];
    let mostBuffered = 0;
    const out = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        mostBuffered = Math.max(mostBuffered, this.writableLength);
        chunks.push(chunk);
        setImmediate(callback);
      },
    });
    const items = Array.from({ length: 200 }, (_, i) => item({ mal: String(i + 1), title: `Title ${i + 1}` }));
    const result = await writeMalExport(each(items), out, INFO);
    // The caller owns the destination: it ends it and waits for the last bytes to land.
    out.end();
    await finished(out);
    const xml = Buffer.concat(chunks).toString('utf8');
    expect(result).toEqual({ written: 200, skipped: 0 });
    expect(readIndependently(xml).anime.map((a) => a.series_title)).toEqual(items.map((i) => i.work.title));
    // At most the chunk being written and the one that found the buffer full.
    expect(mostBuffered).toBeLessThan(xml.length / 50);
  });

  it('fails when the destination fails', async () => {
    const out = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, callback) {
        setImmediate(() => callback(new Error('disk full')));
      },
    });
    out.on('error', () => {});
    await expect(writeMalExport(each([item(), item({ mal: '2' }), item({ mal: '3' })]), out, INFO)).rejects.toThrow(/disk full|closed/u);
  });
});

describe('round trip: what Kansou writes, Kansou reads back', () => {
  const items: SourceItem[] = [
    item({
      entry: entry({ tags: ['space', 'jazz', '新海誠'] }),
      review: review({ body: 'Two paragraphs.\n\nThe second has ]]> and <tags> & "quotes".' }),
    }),
    item({
      mal: '5',
      title: 'Cowboy Bebop: Tengoku no Tobira',
      kind: 'anime_film',
      episodes: 1,
      review: review({ rating: 80, score: { value: 4, max: 5 }, body: '' }),
      entry: entry({ status: 'completed', progress: 1, startedOn: null, finishedOn: '2019-03-01', timesWatched: 0 }),
    }),
    item({
      mal: '227',
      title: 'FLCL',
      kind: 'ova',
      episodes: 6,
      review: review({ rating: null, score: null, scoreText: null, body: 'Comment only.' }),
      entry: entry({ status: 'on_hold', progress: 3, startedOn: '2019-05-02', finishedOn: null, timesWatched: 0 }),
    }),
    item({
      mal: '37521',
      title: 'Vinland Saga',
      episodes: 24,
      review: null,
      entry: entry({ status: 'watching', progress: 10, startedOn: '2020-01-04', finishedOn: null, timesWatched: 0, tags: ['history'] }),
    }),
    item({
      mal: '30',
      title: 'Neon Genesis Evangelion',
      review: review({ rating: 40, body: 'Dropped it.' }),
      entry: entry({ status: 'dropped', progress: 12, startedOn: null, finishedOn: null, timesWatched: 0 }),
    }),
    item({
      mal: '35737',
      title: 'Pluto',
      kind: 'ona',
      episodes: null,
      review: null,
      entry: entry({ status: 'plan_to_watch', progress: 0, startedOn: null, finishedOn: null, timesWatched: 0 }),
    }),
  ];

  function essentials(list: SourceItem[]) {
    return list.map((i) => ({
      mal: i.work.externalIds.mal,
      title: i.work.title,
      kind: i.work.kind,
      episodes: i.work.episodes,
      rating: i.review?.rating ?? null,
      comments: i.review?.body ?? null,
      status: i.entry?.status,
      progress: i.entry?.progress,
      startedOn: i.entry?.startedOn,
      finishedOn: i.entry?.finishedOn,
      timesWatched: i.entry?.timesWatched,
      tags: i.entry?.tags,
    }));
  }

  it('gives back the same scores, statuses, progress, dates, tags and comments', async () => {
    const { xml } = await exportOf(items);
    const back = await parsedBack(xml);
    expect(essentials(back)).toEqual(essentials(items));
    expect(back.flatMap((i) => i.warnings)).toEqual([]);
  });

  it('reads the export back the same once gzipped, as it would be downloaded', async () => {
    const { xml } = await exportOf(items);
    expect(essentials(await parsedBack(gzipSync(xml)))).toEqual(essentials(items));
  });
});
