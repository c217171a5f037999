import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import type { SourceEntry, SourceItem } from '../import.types.js';
import { parseMalExport } from './mal.parse.js';

function fixture(name: string): Buffer {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
}

/** The bytes as a file stream would give them, in chunks of `chunkSize` (all at once by default). */
function streamOf(bytes: Buffer | string, chunkSize?: number): Readable {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const chunks: Buffer[] = [];
  const size = chunkSize ?? Math.max(1, buffer.length);
  for (let i = 0; i < buffer.length; i += size) chunks.push(buffer.subarray(i, i + size));
  return Readable.from(chunks);
}

async function parse(bytes: Buffer | string, options?: { maxBytes?: number; chunkSize?: number }): Promise<SourceEntry[]> {
  const entries: SourceEntry[] = [];
  for await (const entry of parseMalExport(streamOf(bytes, options?.chunkSize), options)) entries.push(entry);
  return entries;
}

/** Reads until the parser gives up; returns what came before and the error. */
async function refused(bytes: Buffer | string, options?: { maxBytes?: number }): Promise<{ entries: SourceEntry[]; error: AppError }> {
  const entries: SourceEntry[] = [];
  try {
    for await (const entry of parseMalExport(streamOf(bytes), options)) entries.push(entry);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return { entries, error: error as AppError };
  }
  throw new Error('the file was accepted');
}

function itemsOf(entries: SourceEntry[]): SourceItem[] {
  return entries.map((entry) => {
    if (!('item' in entry)) throw new Error(`${entry.ref} is not an item`);
    return entry.item;
  });
}

/** A minimal export around the given `<anime>` elements. */
function exportWith(...anime: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>\n<myanimelist>\n<myinfo><user_export_type>1</user_export_type></myinfo>\n${anime.join('\n')}\n</myanimelist>\n`;
}

function anime(fields: Record<string, string>): string {
  const body = Object.entries(fields)
    .map(([name, value]) => `<${name}>${value}</${name}>`)
    .join('');
  return `<anime>${body}</anime>`;
}

describe('a 1.1.0 export, as MyAnimeList writes it', async () => {
  const entries = await parse(fixture('anime-list-1.1.0.xml'));
  const items = itemsOf(entries);
  const byTitle = (title: string) => {
    const item = items.find((i) => i.work.title === title);
    if (!item) throw new Error(`no ${title}`);
    return item;
  };

  it('yields every anime in file order, each named by its MyAnimeList id and title', () => {
    expect(entries.map((e) => e.ref)).toEqual([
      'anime 1 (Cowboy Bebop)',
      'anime 5 (Cowboy Bebop: Tengoku no Tobira)',
      'anime 227 (FLCL)',
      'anime 37521 (Vinland Saga)',
      'anime 35737 (Pluto)',
      'anime 38003 (Mob Psycho 100: Reigen - Shirarezaru Kiseki no Reinouryokusha)',
      'anime 34240 (Shelter)',
      'anime 32281 (君の名は。)',
    ]);
  });

  it('describes the work with what the export knows and leaves the rest empty', () => {
    expect(byTitle('Cowboy Bebop').work).toEqual({
      title: 'Cowboy Bebop',
      altTitles: [],
      kind: 'anime_series',
      year: null,
      synopsis: null,
      credits: [],
      studios: [],
      platforms: [],
      tags: [],
      externalIds: { mal: '1' },
      episodes: 26,
    });
  });

  it('maps every MyAnimeList type to a kind, and says when Music becomes other', () => {
    expect(items.map((i) => i.work.kind)).toEqual(['anime_series', 'anime_film', 'ova', 'anime_series', 'ona', 'special', 'other', 'anime_film']);
    expect(byTitle('Shelter').warnings).toEqual([expect.stringContaining('series_type Music')]);
  });

  it('treats 0 episodes as not known yet', () => {
    expect(byTitle('Pluto').work.episodes).toBeNull();
  });

  it('turns a score with comments into a review out of 10, dated when the author finished', () => {
    expect(byTitle('Cowboy Bebop').review).toEqual({
      headline: null,
      summary: null,
      score: { value: 9, max: 10 },
      scoreText: '9/10',
      rating: 90,
      body: 'Still the coolest ending in anime.\n\nSee you, space cowboy.',
      hasSpoilers: false,
      publishedAt: '2019-02-10',
      status: 'published',
    });
  });

  it('turns a score without comments into a review with an empty body', () => {
    const review = byTitle('Cowboy Bebop: Tengoku no Tobira').review;
    expect(review?.score).toEqual({ value: 8, max: 10 });
    expect(review?.rating).toBe(80);
    expect(review?.body).toBe('');
  });

  it('turns comments without a score into an unscored review, trimmed', () => {
    const review = byTitle('FLCL').review;
    expect(review?.score).toBeNull();
    expect(review?.scoreText).toBeNull();
    expect(review?.rating).toBeNull();
    expect(review?.body).toBe('Too loud for a Tuesday. I will finish it on a weekend.');
    expect(review?.publishedAt).toBeNull();
  });

  it('dates a review by the start date when there is no finish date', () => {
    expect(byTitle('Mob Psycho 100: Reigen - Shirarezaru Kiseki no Reinouryokusha').review?.publishedAt).toBe('2021-07-14');
  });

  it('makes no review of an entry with neither score nor comments, but keeps its list entry', () => {
    expect(byTitle('Vinland Saga').review).toBeNull();
    expect(byTitle('Vinland Saga').entry).toEqual({
      status: 'watching',
      progress: 10,
      startedOn: '2020-01-04',
      finishedOn: null,
      timesWatched: 0,
      tags: ['history'],
    });
    expect(byTitle('Pluto').review).toBeNull();
  });

  it('maps the five text statuses', () => {
    expect(items.map((i) => i.entry?.status)).toEqual([
      'completed',
      'completed',
      'on_hold',
      'watching',
      'plan_to_watch',
      'dropped',
      'completed',
      'completed',
    ]);
  });

  it('reads the list entry: progress, dates, rewatches and tags split on commas', () => {
    expect(byTitle('Cowboy Bebop').entry).toEqual({
      status: 'completed',
      progress: 26,
      startedOn: '2019-01-05',
      finishedOn: '2019-02-10',
      timesWatched: 1,
      tags: ['space', 'jazz', 'classic'],
    });
    expect(byTitle('Shelter').entry?.timesWatched).toBe(3);
  });

  it('reads 0000-00-00 as no date, and drops a partial date with a warning naming the field', () => {
    expect(byTitle('Cowboy Bebop: Tengoku no Tobira').entry?.startedOn).toBeNull();
    const flcl = byTitle('FLCL');
    expect(flcl.entry?.startedOn).toBeNull();
    expect(flcl.entry?.finishedOn).toBeNull();
    expect(flcl.warnings).toEqual([expect.stringMatching(/^my_start_date 2019-05-00 is a partial date/u)]);
  });

  it('keeps comments verbatim, markup-like text included, and ignores elements it does not know', () => {
    expect(byTitle('Mob Psycho 100: Reigen - Shirarezaru Kiseki no Reinouryokusha').review?.body).toBe(
      'A recap with <b>one</b> new scene & a lot of déjà vu.',
    );
    expect(byTitle('Cowboy Bebop').warnings).toEqual([]);
  });

  it('reads non-Latin titles, comments and tags', () => {
    const film = byTitle('君の名は。');
    expect(film.review?.body).toBe('彗星の場面で泣いた。');
    expect(film.review?.score).toEqual({ value: 10, max: 10 });
    expect(film.entry?.tags).toEqual(['新海誠', 'romance']);
  });

  it('reads the gzipped download the same as the plain file', async () => {
    expect(await parse(fixture('anime-list-1.1.0.xml.gz'))).toEqual(entries);
  });

  it('reads the same whatever size the chunks arrive in, even when they split a character', async () => {
    expect(await parse(fixture('anime-list-1.1.0.xml'), { chunkSize: 1 })).toEqual(entries);
    expect(await parse(fixture('anime-list-1.1.0.xml.gz'), { chunkSize: 1 })).toEqual(entries);
  });

  it('reads a file re-saved as UTF-16 with a byte-order mark', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fixture('anime-list-1.1.0.xml').toString('utf8').replace('UTF-8', 'UTF-16'), 'utf16le')]);
    expect(await parse(utf16)).toEqual(entries);
  });

  it('reads a UTF-8 byte-order mark and a bare DOCTYPE without complaint', async () => {
    const body = exportWith(anime({ series_animedb_id: '1', series_title: 'Cowboy Bebop', my_status: 'Completed' })).replace(/^<\?xml[^>]*>/u, '');
    const xml = `\uFEFF<?xml version="1.0"?><!DOCTYPE myanimelist>${body}`;
    expect(itemsOf(await parse(xml)).map((i) => i.work.title)).toEqual(['Cowboy Bebop']);
  });
});

describe('the 2008 layout, with my_dvd and without my_storage_value, my_priority, my_discuss, my_sns', async () => {
  const items = itemsOf(await parse(fixture('anime-list-2008.xml')));

  it('reads both entries without warnings', () => {
    expect(items.map((i) => [i.work.title, i.entry?.status, i.review?.score ?? null])).toEqual([
      ['Ghost in the Shell: Stand Alone Complex', 'completed', { value: 8, max: 10 }],
      ['Tiger & Bunny', 'plan_to_watch', null],
    ]);
    expect(items.flatMap((i) => i.warnings)).toEqual([]);
  });

  it('decodes entities in text that is not in CDATA', () => {
    expect(items[0]?.review?.body).toBe('Laughing Man arc > everything else.');
    expect(items[0]?.entry?.tags).toEqual(['cyberpunk', 'police']);
  });
});

describe("integer statuses, as MyAnimeList's old list API wrote them", async () => {
  const items = itemsOf(await parse(fixture('integer-statuses.xml')));

  it('maps 1, 2, 3, 4 and 6 to the five statuses', () => {
    expect(items.slice(0, 5).map((i) => i.entry?.status)).toEqual(['watching', 'completed', 'on_hold', 'dropped', 'plan_to_watch']);
  });

  it('imports an entry with a status it does not know without one, and says so', () => {
    const last = items[5];
    expect(last?.work.title).toBe('Neon Genesis Evangelion: Death & Rebirth');
    expect(last?.entry?.status).toBeNull();
    expect(last?.warnings).toEqual([expect.stringContaining('my_status "5"')]);
  });

  it('ignores the extra elements of that layout and leaves missing counts empty', () => {
    expect(items[0]?.warnings).toEqual([]);
    expect(items[0]?.entry?.timesWatched).toBeNull();
    expect(items[1]?.entry?.tags).toEqual(['movie night']);
  });
});

describe('entries that cannot be read', async () => {
  const entries = await parse(fixture('bad-entries.xml'));

  it('reports each one with the field at fault and goes on with the next', () => {
    expect(entries.slice(0, 5)).toEqual([
      { ref: 'anime at line 8 (No Id At All)', error: expect.stringContaining('no series_animedb_id') },
      { ref: 'anime 1 (Cowboy Bebop)', error: expect.stringContaining('my_score "11"') },
      { ref: 'anime 30', error: expect.stringContaining('no series_title') },
      { ref: 'anime 31 (Death & Rebirth)', error: expect.stringContaining('my_score "7.5"') },
      { ref: 'anime at line 33 (Letters For An Id)', error: expect.stringContaining('series_animedb_id "abc"') },
    ]);
    expect(entries[5]?.ref).toBe('anime 227 (FLCL)');
    expect(entries).toHaveLength(6);
  });

  it('imports an entry with odd values, leaving them empty and saying which', () => {
    const [flcl] = itemsOf(entries.slice(5));
    expect(flcl?.work.kind).toBeNull();
    expect(flcl?.work.episodes).toBeNull();
    expect(flcl?.entry).toMatchObject({ status: null, progress: 6, startedOn: null, finishedOn: null });
    expect(flcl?.review?.score).toEqual({ value: 6, max: 10 });
    expect(flcl?.warnings).toEqual([
      expect.stringContaining('series_type "Web Short"'),
      expect.stringContaining('series_episodes "six"'),
      expect.stringContaining('my_status "Rewatching soon"'),
      expect.stringMatching(/^my_start_date 2019-02-30 is not a real date/u),
      expect.stringMatching(/^my_finish_date 0000-04-00 is a partial date/u),
    ]);
  });

  it('refuses a negative score', async () => {
    const [entry] = await parse(exportWith(anime({ series_animedb_id: '1', series_title: 'Cowboy Bebop', my_score: '-3' })));
    expect(entry).toEqual({ ref: 'anime 1 (Cowboy Bebop)', error: expect.stringContaining('my_score "-3"') });
  });
});

describe('a long comment', () => {
  it('keeps a 1 MB comment whole', async () => {
    const comment = 'Spike walks into the church. '.repeat(36_000).trim();
    expect(comment.length).toBeGreaterThan(1_000_000);
    const [item] = itemsOf(
      await parse(exportWith(anime({ series_animedb_id: '1', series_title: 'Cowboy Bebop', my_score: '9', my_comments: `<![CDATA[${comment}]]>` })), {
        chunkSize: 65_536,
      }),
    );
    expect(item?.review?.body).toBe(comment);
  });
});

describe('files Kansou refuses', () => {
  it('refuses a manga list, saying that Kansou imports anime lists', async () => {
    const { entries, error } = await refused(fixture('manga-list.xml'));
    expect(entries).toEqual([]);
    expect(error.code).toBe('unsupported_format');
    expect(error.message).toMatch(/manga list.*imports anime lists/u);
  });

  it('refuses <manga> elements even without user_export_type', async () => {
    const { error } = await refused('<myanimelist><manga><manga_mangadb_id>2</manga_mangadb_id></manga></myanimelist>');
    expect(error.message).toMatch(/manga list/u);
  });

  it('refuses entity declarations ("billion laughs") before expanding anything', async () => {
    const { entries, error } = await refused(fixture('billion-laughs.xml'));
    expect(entries).toEqual([]);
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/declares XML entities/u);
  });

  it('refuses external entities, so no local file is ever read into a review', async () => {
    const { entries, error } = await refused(fixture('external-entity.xml'));
    expect(entries).toEqual([]);
    expect(error.message).toMatch(/declares XML entities/u);
  });

  it('refuses a DOCTYPE that points at an external DTD', async () => {
    const { error } = await refused('<?xml version="1.0"?>\n<!DOCTYPE myanimelist SYSTEM "http://example.com/mal.dtd">\n<myanimelist></myanimelist>');
    expect(error.message).toMatch(/external DTD/u);
  });

  it('refuses an entity XML does not define, saying where it is', async () => {
    const { error } = await refused(exportWith(anime({ series_animedb_id: '1', series_title: 'Cowboy&nbsp;Bebop' })));
    expect(error.message).toMatch(/not well-formed XML at line 4, column \d+: an entity/u);
  });

  it('refuses a truncated gzip download', async () => {
    const gz = fixture('anime-list-1.1.0.xml.gz');
    const { error } = await refused(gz.subarray(0, Math.floor(gz.length * 0.6)));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/gzip file is truncated/u);
  });

  it('refuses a gzip file whose checksum does not match', async () => {
    const gz = Buffer.from(fixture('anime-list-1.1.0.xml.gz'));
    gz[gz.length - 8] = (gz[gz.length - 8] ?? 0) ^ 0xff;
    const { error } = await refused(gz);
    expect(error.message).toMatch(/gzip file is damaged/u);
  });

  it('refuses a gzip that inflates beyond the size limit (a compression bomb)', async () => {
    const bomb = gzipSync(`<myanimelist>${' '.repeat(8 * 1024 * 1024)}</myanimelist>`);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const { error } = await refused(bomb, { maxBytes: 1024 * 1024 });
    expect(error.message).toMatch(/larger than 1 MiB once uncompressed/u);
  });

  it('refuses a plain file beyond the size limit', async () => {
    const { error } = await refused(fixture('anime-list-1.1.0.xml'), { maxBytes: 4096 });
    expect(error.message).toMatch(/larger than 4096 bytes,/u);
  });

  it('refuses a file that is not XML, quoting how it starts', async () => {
    const { error } = await refused(fixture('not-xml.csv'));
    expect(error.code).toBe('unsupported_format');
    expect(error.message).toMatch(/not an XML file \(it starts with "Title,Score,Status"\)/u);
  });

  it('refuses XML whose root is not <myanimelist>', async () => {
    const { error } = await refused(fixture('wrong-root.xml'));
    expect(error.code).toBe('unsupported_format');
    expect(error.message).toMatch(/root element is <rss>, not <myanimelist>/u);
  });

  it('refuses malformed XML, naming the line and column', async () => {
    const { error } = await refused(fixture('malformed.xml'));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe(
      'The file is not well-formed XML at line 10, column 75: a closing tag that does not match the open <series_title>.',
    );
  });

  it('refuses a plain export cut short, after reading what came before', async () => {
    const xml = fixture('anime-list-1.1.0.xml').toString('utf8');
    const cut = xml.slice(0, xml.indexOf('<series_animedb_id>227'));
    const { entries, error } = await refused(cut);
    expect(entries.map((e) => e.ref)).toEqual(['anime 1 (Cowboy Bebop)', 'anime 5 (Cowboy Bebop: Tengoku no Tobira)']);
    expect(error.message).toMatch(/ends before <anime> is closed/u);
  });

  it('refuses NUL bytes', async () => {
    const xml = fixture('anime-list-1.1.0.xml');
    const damaged = Buffer.concat([xml.subarray(0, 500), Buffer.alloc(16), xml.subarray(500)]);
    const { error } = await refused(damaged);
    expect(error.message).toMatch(/contains NUL bytes \(the first at byte 500\)/u);
  });

  it('refuses bytes that are not text', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => 0x80 + ((i * 37) % 0x7f)));
    const { error } = await refused(Buffer.concat([Buffer.from('<myanimelist>'), garbage]));
    expect(error.message).toMatch(/not valid UTF-8 text/u);
  });

  it('refuses an empty file and one with no element', async () => {
    expect((await refused('')).error.message).toMatch(/file is empty/u);
    expect((await refused('  \n  ')).error.message).toMatch(/no XML element/u);
  });
});

describe('reading as a stream', () => {
  it('yields the first entry before the rest of the file has arrived', async () => {
    const xml = fixture('anime-list-1.1.0.xml').toString('utf8');
    const split = xml.indexOf('<anime>', xml.indexOf('</anime>'));
    const input = new PassThrough();
    const entries = parseMalExport(input);
    input.write(xml.slice(0, split));
    const first = await entries.next();
    expect(first.done).toBe(false);
    expect(first.value).toMatchObject({ ref: 'anime 1 (Cowboy Bebop)' });
    input.end(xml.slice(split));
    const rest: SourceEntry[] = [];
    for await (const entry of entries) rest.push(entry);
    expect(rest).toHaveLength(7);
  });

  it('closes the input when the reader stops early, gzipped or not', async () => {
    for (const name of ['anime-list-1.1.0.xml', 'anime-list-1.1.0.xml.gz']) {
      const input = new PassThrough();
      input.write(fixture(name));
      // Never ended: the rest of a large file that will not be needed.
      for await (const entry of parseMalExport(input)) {
        expect(entry.ref).toBe('anime 1 (Cowboy Bebop)');
        break;
      }
      expect(input.destroyed).toBe(true);
    }
  });
});
