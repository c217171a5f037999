import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import type { SourceEntry, SourceItem } from '../import.types.js';
import { parseAniList } from './anilist.parse.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

function parse(name: string): SourceEntry[] {
  return [...parseAniList(fixture(name), name)];
}

function items(entries: SourceEntry[]): Map<string, SourceItem> {
  return new Map(entries.flatMap((e) => ('item' in e ? [[e.ref, e.item] as const] : [])));
}

function item(entries: SourceEntry[], ref: string): SourceItem {
  const found = items(entries).get(ref);
  if (!found) throw new Error(`no item ${ref} in ${entries.map((e) => e.ref).join(', ')}`);
  return found;
}

function thrown(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('a POINT_100 list in the API answer ({ data: { MediaListCollection } })', () => {
  const entries = parse('list-point100.json');

  it('yields each entry once, though it is also on a custom list, in the order of the lists', () => {
    expect(entries.map((e) => e.ref)).toEqual([
      'anime 1 (Cowboy Bebop)',
      'anime 199 (Spirited Away)',
      'anime 101348 (Hero Mask)',
      'anime 21507 (Mob Psycho 100)',
      'anime 20954 (A Silent Voice)',
      'manga 30002 (Berserk)',
    ]);
  });

  it('describes the work: titles, kind, year, ids, credits by exact role, main studios, genres as tags', () => {
    const { work } = item(entries, 'anime 1 (Cowboy Bebop)');
    expect(work).toEqual({
      title: 'Cowboy Bebop',
      altTitles: [
        { title: 'カウボーイビバップ', type: 'original' },
        { title: 'CB', type: 'other' },
      ],
      kind: 'anime_series',
      year: 1998,
      synopsis: null,
      credits: [
        { role: 'director', name: 'Shinichirou Watanabe' },
        // "Series Composition" and "Script (eps 1-5)" name the same writer once; "Episode Director",
        // "Art Director" and "Character Design" are not among the roles read.
        { role: 'writer', name: 'Keiko Nobumoto' },
        { role: 'music', name: 'Yoko Kanno' },
        { role: 'original_creator', name: 'Hajime Yatate' },
      ],
      studios: ['Sunrise'],
      platforms: ['Crunchyroll'],
      tags: ['Action', 'Adventure', 'Drama', 'Sci-Fi'],
      externalIds: { anilist: '1', mal: '1' },
      episodes: 26,
    });
  });

  it('prefers the English title and keeps romaji and native as alternatives', () => {
    const { work } = item(entries, 'anime 199 (Spirited Away)');
    expect(work.title).toBe('Spirited Away');
    expect(work.altTitles).toEqual([
      { title: 'Sen to Chihiro no Kamikakushi', type: 'romaji' },
      { title: '千と千尋の神隠し', type: 'original' },
    ]);
    expect(work.kind).toBe('anime_film');
    expect(work.credits).toContainEqual({ role: 'writer', name: 'Hayao Miyazaki' });
    expect(work.credits.some((c) => c.name === 'Kazuhiro Hayashi')).toBe(false);
  });

  it('falls back to the romaji title when there is no English one', () => {
    const { work } = item(entries, 'anime 21507 (Mob Psycho 100)');
    expect(work.title).toBe('Mob Psycho 100');
    expect(work.altTitles).toEqual([
      { title: 'モブサイコ100', type: 'original' },
      { title: 'Mob Psycho Hyaku', type: 'other' },
    ]);
  });

  it('makes the score and the notes a review, with AniList spoiler markup in the canonical form', () => {
    const { review } = item(entries, 'anime 1 (Cowboy Bebop)');
    expect(review).toEqual({
      headline: null,
      summary: null,
      score: { value: 88, max: 100 },
      scoreText: '88/100',
      rating: 88,
      body: 'Still the one I recommend first.\n\nThe last session ||ends with Spike walking into the Red Dragon building|| and I was not ready.',
      hasSpoilers: true,
      publishedAt: '2019-02-20T00:00:00Z',
      status: 'published',
    });
  });

  it('records where the author is with the work, the rewatches and the custom lists', () => {
    expect(item(entries, 'anime 1 (Cowboy Bebop)').entry).toEqual({
      status: 'completed',
      progress: 26,
      startedOn: '2019-01-05',
      finishedOn: '2019-02-20',
      timesWatched: 2,
      tags: ['Favourites'],
    });
    const mob = item(entries, 'anime 21507 (Mob Psycho 100)');
    expect(mob.entry).toMatchObject({ status: 'watching', progress: 4, timesWatched: 1, tags: ['Favourites'] });
    expect(item(entries, 'anime 20954 (A Silent Voice)').entry?.status).toBe('plan_to_watch');
  });

  it('a score without notes is a review with an empty body; neither score nor notes, no review', () => {
    const mob = item(entries, 'anime 21507 (Mob Psycho 100)');
    expect(mob.review).toMatchObject({ score: { value: 95, max: 100 }, body: '', publishedAt: '2023-01-01T00:00:00Z' });
    expect(item(entries, 'anime 199 (Spirited Away)').review).toBeNull();
    expect(item(entries, 'anime 20954 (A Silent Voice)').review).toBeNull();
  });

  it('imports a private entry as a draft and says so', () => {
    const hero = item(entries, 'anime 101348 (Hero Mask)');
    expect(hero.review?.status).toBe('draft');
    expect(hero.review?.body).toBe('Watched it for the gunfights. Too many cliches.');
    expect(hero.warnings).toContain('private on AniList: the review was imported as a draft');
    expect(hero.work.kind).toBe('ona');
  });

  it('keeps only whole dates, and says why a partial or impossible one was left out', () => {
    const spirited = item(entries, 'anime 199 (Spirited Away)');
    expect(spirited.entry).toMatchObject({ startedOn: null, finishedOn: null });
    expect(spirited.warnings).toEqual(['the started date 2021-08-?? is incomplete; imported without it']);
    const mob = item(entries, 'anime 21507 (Mob Psycho 100)');
    expect(mob.entry?.startedOn).toBeNull();
    expect(mob.warnings).toContain('the started date 2023-02-30 does not exist; imported without it');
  });

  it('skips manga entries with the reason', () => {
    expect(entries.at(-1)).toEqual({ ref: 'manga 30002 (Berserk)', skip: 'a manga entry; Kansou imports anime' });
  });
});

describe('the other score formats', () => {
  it('POINT_10_DECIMAL, from the bare MediaListCollection object', () => {
    const entries = parse('list-point10-decimal-bare.json');
    expect(item(entries, 'anime 11 (Shirobako)').review).toMatchObject({ score: { value: 8.5, max: 10 }, scoreText: '8.5/10', rating: 85 });
    expect(item(entries, 'anime 12 (Hero Mask)').review).toMatchObject({ score: { value: 6, max: 10 }, rating: 60 });
    const paused = item(entries, 'anime 13 (Barakamon)');
    expect(paused.review).toBeNull();
    expect(paused.entry?.status).toBe('on_hold');
  });

  it('POINT_10', () => {
    const entries = parse('list-point10.json');
    expect(item(entries, 'anime 21 (Mushishi)').review).toMatchObject({ score: { value: 9, max: 10 }, rating: 90 });
    const dropped = item(entries, 'anime 22 (Ex-Arm)');
    expect(dropped.review).toMatchObject({ score: { value: 3, max: 10 }, rating: 30 });
    expect(dropped.entry?.status).toBe('dropped');
  });

  it('POINT_5 (stars), from the bare object', () => {
    const entries = parse('list-point5-bare.json');
    expect(item(entries, 'anime 31 (Sora yori mo Tooi Basho)').review).toMatchObject({ score: { value: 4, max: 5 }, scoreText: '4/5', rating: 80 });
    expect(item(entries, 'anime 32 (Hero Mask)').review).toMatchObject({ score: { value: 2, max: 5 }, rating: 40 });
  });

  it('POINT_3 (smileys): AniList\'s own values on the 100 scale, the smiley kept as the score text, with a warning', () => {
    const entries = parse('list-point3.json');
    const cases: [string, number, string][] = [
      ['anime 41 (Non Non Biyori)', 85, ':)'],
      ['anime 42 (Hero Mask)', 60, ':|'],
      ['anime 43 (Ex-Arm)', 35, ':('],
    ];
    for (const [ref, value, text] of cases) {
      const { review, warnings } = item(entries, ref);
      expect(review).toMatchObject({ score: { value, max: 100 }, scoreText: text, rating: value });
      expect(warnings).toEqual([`the smiley ${text} was imported as ${value} out of 100 (AniList's own value for it)`]);
    }
    // 0 is "no score", not a frown.
    expect(item(entries, 'anime 44 (Barakamon)').review).toBeNull();
  });
});

describe('a list whose file does not name its score format', () => {
  it('reads scores above 10 as out of 100, without a warning: no other format goes that high', () => {
    const entries = parse('list-no-format-100.json');
    expect(item(entries, 'anime 51 (Mushishi)').review?.score).toEqual({ value: 82, max: 100 });
    const low = item(entries, 'anime 52 (Ex-Arm)');
    expect(low.review?.score).toEqual({ value: 7, max: 100 });
    expect(low.warnings).toEqual([]);
  });

  it('reads whole numbers up to 10 as out of 10 and says it is a guess', () => {
    const entries = parse('list-no-format-10.json');
    const mushishi = item(entries, 'anime 61 (Mushishi)');
    expect(mushishi.review?.score).toEqual({ value: 9, max: 10 });
    expect(mushishi.warnings).toEqual([expect.stringContaining('read as out of 10 (a guess)')]);
  });

  it('imports no score when 1 to 5 could be smileys, stars or ten points, and keeps the notes', () => {
    const entries = parse('list-no-format-ambiguous.json');
    const withNotes = item(entries, 'anime 71 (Mushishi)');
    expect(withNotes.review).toMatchObject({ score: null, rating: null, body: 'Quiet and strange.' });
    expect(withNotes.warnings).toEqual([expect.stringContaining('could be out of 3, 5 or 10, so none was imported')]);
    const scoreOnly = item(entries, 'anime 72 (Ex-Arm)');
    expect(scoreOnly.review).toBeNull();
    expect(scoreOnly.warnings).toHaveLength(1);
  });

  it('reads scores as out of 100 when they go above the declared format (a list fetched with score(format: POINT_100))', () => {
    const text = fixture('list-point10.json').replace('"score": 9,', '"score": 90,').replace('"score": 3,', '"score": 30,');
    const entries = [...parseAniList(text, 'list.json')];
    const mushishi = item(entries, 'anime 21 (Mushishi)');
    expect(mushishi.review?.score).toEqual({ value: 90, max: 100 });
    expect(mushishi.warnings).toEqual(["the list's score format is POINT_10, but scores go up to 90: read them as out of 100"]);
  });
});

describe('entries and files that cannot be read', () => {
  it('turns entries without media, without an id or without a title into errors, and reads the rest', () => {
    expect(parse('list-broken-entries.json')).toEqual([
      expect.objectContaining({ ref: 'anime 91 (Mushishi)', item: expect.anything() }),
      { ref: 'list "Completed" entry 2', error: 'the entry has no media (add media { id … } to the query)' },
      { ref: 'list "Completed" entry 3', error: "the entry's media has no id" },
      { ref: 'anime 94', error: 'the media has no title (add title { romaji english native } to the query)' },
      { ref: 'list "Completed" entry 5', error: 'not an entry object' },
    ]);
  });

  it('refuses a manga list as a whole', () => {
    const error = thrown(() => parse('list-manga.json'));
    expect(error.code).toBe('unsupported_format');
    expect(error.message).toBe('list-manga.json: this is an AniList manga list; Kansou imports anime lists (query MediaListCollection with type: ANIME)');
  });

  it('says where invalid JSON breaks', () => {
    const error = thrown(() => parse('invalid.json'));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/^invalid\.json: not valid JSON at line 5, column \d+: /u);
  });

  it('refuses JSON that is not an AniList list, and an error answer from the API', () => {
    expect(thrown(() => parse('not-anilist.json')).message).toBe(
      'not-anilist.json: not an AniList list: expected { "data": { "MediaListCollection": { "lists": […] } } }',
    );
    expect(thrown(() => parse('error-response.json')).message).toBe('error-response.json: this is an error AniList answered ("User not found"), not a list');
    expect(thrown(() => [...parseAniList('[1, 2]', 'list.json')]).message).toBe('list.json: not an AniList list: the JSON is an array, not an object');
    expect(thrown(() => [...parseAniList('  \n', 'list.json')]).message).toBe('list.json: the file is empty');
  });

  it('warns about a status or format it does not know, and imports the rest of the entry', () => {
    const text = fixture('list-point10.json').replace('"status": "DROPPED"', '"status": "ABANDONED"').replace('"format": "TV"', '"format": "CM"');
    const entries = [...parseAniList(text, 'list.json')];
    expect(item(entries, 'anime 22 (Ex-Arm)').warnings).toContain('status ABANDONED is not one Kansou knows; imported without a status');
    expect(item(entries, 'anime 21 (Mushishi)').warnings).toContain('format CM is not one Kansou knows; imported without a kind');
  });
});
