/**
 * The catalogue the browser tests and the screenshot script look at: the awkward cases a
 * reader's screen meets (very long titles, an unbroken romanised word, Japanese-only titles,
 * a 300-word review with headings, lists and quotes, a review with both spoiler forms, an
 * unscored review) on top of whatever is already in the database.
 *
 * No vitest import here: `scripts/screenshots.ts` runs this outside the test runner.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../src/db/connection.js';
import type { NamedEntity } from '../../src/db/schema.js';
import { importParsedItem, importSourceItems } from '../../src/import/import.service.js';
import { buildApp } from '../../src/server/app.js';
import { urls } from '../../src/shared/urls.js';
import { makeItem } from '../factories.js';

/** Text inside the spoilers of the spoiler review: must stay invisible until revealed. */
export const INLINE_SPOILER_TEXT = 'Mami does not survive episode three';
export const BLOCK_SPOILER_TEXT = 'Homura has relived this month again and again';

export const LONG_TITLE =
  'The Melancholy Chronicle of a Remarkably Long Light-Novel Title That Simply Refuses to End: Being the Complete and Unabridged Adventures of Everyone Involved';
/** A romanised title with no space to break at: the worst case for narrow screens. */
export const UNBROKEN_TITLE = 'Hyakumanbenmeguriaitakattahitotachinomonogatari';

const LONG_REVIEW_BODY = `Few series trust silence the way *Mushishi* does. Each episode follows Ginko, a wandering
mushi master, into a village where something small and nearly invisible has gone wrong:
a girl who cannot stop hearing, a swamp that walks, a rainbow that someone has chased for
twenty years. There is no villain and no overarching plot, only weather, patience and the
slow work of understanding.

## What it does well

The backgrounds are painted rather than drawn, and the camera lingers on them long after a
lesser show would have cut away. Toshio Masuda's score is sparse, mostly a few plucked notes
and wind, so when music does swell it lands with real weight. The voice acting is quiet,
almost conversational.

- Every episode stands alone, which makes it easy to return to.
- The mushi are never explained completely, and the mystery is the point.
- Ginko is kind without being sentimental.

> "They are neither good nor evil. They simply live, as we do."

## Where it falters

The episodic shape is also the weakness. Watched in a row, the stories begin to rhyme:
a stranger arrives, a cost is paid, the snow melts. A few of the middle episodes feel like
variations rather than new tunes, and viewers who need momentum will drift.

## Verdict

Watch it slowly, one episode on a rainy evening at a time, and it becomes something
close to a ritual. Few anime are as calm, as humane, or as confident that the audience will
meet them halfway. It is a series about listening, and it rewards exactly that. Read more on
[the studio's page](https://example.org/artland) if you are curious about how it was made,
then go back and watch the rainbow episode again.`;

const SPOILER_REVIEW_BODY = `*Madoka Magica* looks like a gentle magical-girl show for its first two
episodes and then, famously, it is not. Without giving anything away: keep watching past the
third episode, whatever you think of the opening.

The third episode turns on one moment: ||${INLINE_SPOILER_TEXT}||, and the series never
looks back.

::: spoiler What the last episodes reveal
${BLOCK_SPOILER_TEXT}, trying to save Madoka each time.
:::

Shinbo's direction and Gekidan Inu Curry's witch labyrinths make it one of the most striking
series of its decade.`;

/** Adds the awkward cases to `db`; returns the review with both spoiler forms. */
export async function seedBrowserExtras(db: Db) {
  const long = await importParsedItem(
    db,
    makeItem(
      {
        title: LONG_TITLE,
        altTitles: [{ title: 'とても長いライトノベルのタイトルが終わらない物語 完全版', type: 'original' }],
        kind: 'anime_series',
        year: 2019,
        synopsis: 'A light-novel adaptation whose title is longer than most of its episodes’ plots.',
        credits: [
          { role: 'director', name: 'Shin’ichirō Watanabe-Kawamoto' },
          { role: 'original_creator', name: 'Nagisa Yoshizumi-Hatakeyama' },
        ],
        studios: ['Production I.G'],
        platforms: ['Crunchyroll'],
        tags: ['Comedy', 'Isekai'],
      },
      { score: { value: 3, max: 5 }, headline: 'Longer title than plot, and it knows it', body: 'Funnier than it has any right to be.', publishedAt: '2024-03-06T09:00:00.000Z' },
    ),
    { author: 'Carla Reyes', now: () => '2024-03-06T09:00:00.000Z' },
  );
  const unbroken = await importParsedItem(
    db,
    makeItem(
      { title: UNBROKEN_TITLE, kind: 'ova', year: 2011, studios: ['Kyoto Animation'], tags: ['Drama'] },
      { score: { value: 7, max: 10 }, headline: UNBROKEN_TITLE, body: 'A title with nowhere to break, and a quiet little OVA.', publishedAt: '2024-01-20T09:00:00.000Z' },
    ),
    { author: 'Ben Critic', now: () => '2024-01-20T09:00:00.000Z' },
  );
  const japanese = await importParsedItem(
    db,
    makeItem(
      {
        title: '新世紀エヴァンゲリオン',
        altTitles: [
          { title: 'Shin Seiki Evangelion', type: 'romaji' },
          { title: 'Neon Genesis Evangelion', type: 'english' },
        ],
        kind: 'anime_series',
        year: 1995,
        credits: [
          { role: 'director', name: '庵野秀明' },
          { role: 'character_design', name: '貞本義行' },
        ],
        studios: ['ガイナックス'],
        platforms: ['Netflix'],
        tags: ['Mecha', 'Psychological'],
      },
      { score: { value: 9, max: 10 }, headline: '逃げちゃダメだ', body: '今でも色褪せない。A series that still rewrites what a robot show can be.', publishedAt: '2024-02-15T09:00:00.000Z' },
    ),
    { author: 'Aiko Tanaka', now: () => '2024-02-15T09:00:00.000Z' },
  );
  const mushishi = await importParsedItem(
    db,
    makeItem(
      {
        title: 'Mushishi',
        altTitles: [{ title: '蟲師', type: 'original' }],
        kind: 'anime_series',
        year: 2005,
        synopsis: 'Ginko travels the countryside helping people troubled by mushi, the simplest forms of life.',
        credits: [
          { role: 'director', name: 'Hiroshi Nagahama' },
          { role: 'original_creator', name: 'Yuki Urushibara' },
          { role: 'music', name: 'Toshio Masuda' },
        ],
        studios: ['Artland'],
        platforms: ['Crunchyroll'],
        tags: ['Iyashikei', 'Supernatural'],
        externalIds: { mal: '457' },
      },
      {
        score: { value: 4.5, max: 5 },
        headline: 'A series about listening',
        summary: 'Quiet, humane, and best taken one episode at a time.',
        body: LONG_REVIEW_BODY,
        publishedAt: '2024-03-07T09:00:00.000Z',
      },
    ),
    { author: 'Carla Reyes', now: () => '2024-03-07T09:00:00.000Z' },
  );
  const spoiler = await importParsedItem(
    db,
    makeItem(
      {
        title: 'Puella Magi Madoka Magica',
        altTitles: [{ title: '魔法少女まどか☆マギカ', type: 'original' }],
        kind: 'anime_series',
        year: 2011,
        credits: [
          { role: 'director', name: 'Akiyuki Shinbo' },
          { role: 'writer', name: 'Gen Urobuchi' },
          { role: 'music', name: 'Yuki Kajiura' },
        ],
        studios: ['Shaft'],
        platforms: ['Crunchyroll', 'Netflix'],
        tags: ['Magical Girl', 'Thriller', 'Psychological'],
      },
      {
        score: { value: 9, max: 10 },
        headline: 'Not the show it pretends to be',
        summary: 'A magical-girl deconstruction that earns its reputation.',
        body: SPOILER_REVIEW_BODY,
        hasSpoilers: true,
        publishedAt: '2024-03-08T09:00:00.000Z',
      },
    ),
    { author: 'Carla Reyes', now: () => '2024-03-08T09:00:00.000Z' },
  );
  const unscored = await importParsedItem(
    db,
    makeItem(
      { title: 'Your Name.', altTitles: [{ title: '君の名は。', type: 'original' }], kind: 'anime_film', year: 2016, credits: [{ role: 'director', name: 'Makoto Shinkai' }], studios: ['CoMix Wave Films'] },
      { score: null, headline: 'Comets, trains and missed calls', body: 'I refuse to score it; I cried on a train.', publishedAt: '2024-03-01T09:00:00.000Z' },
    ),
    { author: 'Ben Critic', now: () => '2024-03-01T09:00:00.000Z' },
  );
  // Carla's list, as a list import leaves it: the author page shows it beside her reviews.
  const listed = (title: string, status: 'watching' | 'completed' | 'plan_to_watch') => ({
    work: { title, altTitles: [], kind: 'anime_series' as const, year: 2023, synopsis: null, credits: [], studios: [], platforms: [], tags: [], externalIds: {} },
    review: null,
    entry: { status, progress: null, startedOn: null, finishedOn: null, timesWatched: null, tags: [] },
    warnings: [],
  });
  await importSourceItems(db, [listed('Frieren', 'completed'), listed('Dungeon Meshi', 'watching'), listed('Pluto', 'plan_to_watch')], { author: 'Carla Reyes', now: () => '2024-03-09T09:00:00.000Z' });
  return { long, unbroken, japanese, mushishi, spoiler, unscored };
}

async function slugOf(db: Db, table: NamedEntity, name: string): Promise<string> {
  const row = await db.kysely.selectFrom(table).select('slug').where('name', '=', name).executeTakeFirst();
  if (!row) throw new Error(`seed: no ${table} row named ${name}`);
  return row.slug;
}

export type PageType = 'home' | 'work' | 'review' | 'person' | 'studio' | 'platform' | 'tag' | 'year' | 'author' | 'browse' | 'search' | 'not found';

/**
 * One address per page type, on the extras (so each page shows the awkward cases). The
 * review is the one with both spoiler forms; `not found` is expected to answer 404.
 */
export async function pageUrls(db: Db, extras: Awaited<ReturnType<typeof seedBrowserExtras>>): Promise<Record<PageType, string>> {
  return {
    home: urls.home(),
    work: urls.work(extras.long.work.slug),
    review: urls.review(extras.spoiler.review.id),
    person: urls.person(await slugOf(db, 'people', 'Akiyuki Shinbo')),
    studio: urls.studio(await slugOf(db, 'studios', 'Shaft')),
    platform: urls.platform(await slugOf(db, 'platforms', 'Netflix')),
    tag: urls.tag(await slugOf(db, 'tags', 'Psychological')),
    year: urls.year(2011),
    author: urls.author(await slugOf(db, 'authors', 'Carla Reyes')),
    browse: urls.browse(),
    search: `${urls.search()}?q=${encodeURIComponent('madoka')}`,
    'not found': '/no-such-page/anywhere',
  };
}

/** Extra addresses worth a screenshot besides one per type. */
export async function extraScreenshotUrls(extras: Awaited<ReturnType<typeof seedBrowserExtras>>): Promise<Record<string, string>> {
  return {
    'review-long': urls.review(extras.mushishi.review.id),
    'work-japanese': urls.work(extras.japanese.work.slug),
    'work-reviewed': urls.work(extras.mushishi.work.slug),
  };
}

/** The real application on `db`, listening on a free port of 127.0.0.1. */
export async function serveSite(db: Db, name = 'Kansou Reviews'): Promise<{ app: FastifyInstance; baseUrl: string }> {
  // The public URL only shapes canonical and OpenGraph addresses, which the browser never fetches.
  const app = await buildApp({ db, logLevel: 'silent', site: { name, publicUrl: 'https://reviews.example.org' } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

/**
 * A realistic small catalogue for screenshots: a handful of well-known works of each kind,
 * reviewed by three people, plus the awkward cases of `seedBrowserExtras`.
 */
export async function seedShowcase(db: Db) {
  const items: [Parameters<typeof makeItem>[0], Parameters<typeof makeItem>[1], string][] = [
    [
      { title: 'Cowboy Bebop', altTitles: [{ title: 'カウボーイビバップ', type: 'original' }], kind: 'anime_series', year: 1998, credits: [{ role: 'director', name: 'Shinichirō Watanabe' }, { role: 'music', name: 'Yoko Kanno' }], studios: ['Sunrise'], platforms: ['Crunchyroll', 'Netflix'], tags: ['Space', 'Noir'] },
      { score: { value: 10, max: 10 }, headline: 'See you, space cowboy', summary: 'Jazz, bounty hunters and regret.', body: 'Every episode plays like a standard the band knows by heart, then improvises.\n\nThe finale earns its silence.', publishedAt: '2024-02-20T09:00:00.000Z' },
      'Aiko Tanaka',
    ],
    [
      { title: 'Perfect Blue', kind: 'anime_film', year: 1997, credits: [{ role: 'director', name: 'Satoshi Kon' }], studios: ['Madhouse'], tags: ['Psychological', 'Thriller'] },
      { score: { value: 95, max: 100 }, headline: 'A nightmare in mirrors', body: 'Kon’s debut still cuts.', publishedAt: '2024-02-01T10:00:00.000Z' },
      'Ben Critic',
    ],
    [
      { title: 'Frieren: Beyond Journey’s End', altTitles: [{ title: '葬送のフリーレン', type: 'original' }, { title: 'Sousou no Frieren', type: 'romaji' }], kind: 'anime_series', year: 2023, credits: [{ role: 'director', name: 'Keiichirō Saitō' }, { role: 'music', name: 'Evan Call' }], studios: ['Madhouse'], platforms: ['Crunchyroll'], tags: ['Fantasy', 'Iyashikei'] },
      { score: { value: 4.5, max: 5 }, headline: 'The adventure after the adventure', body: 'A fantasy about grief that takes its time, and is better for it.', publishedAt: '2024-03-03T09:00:00.000Z' },
      'Carla Reyes',
    ],
    [
      { title: 'Twin Peaks', kind: 'series', year: 1990, credits: [{ role: 'director', name: 'David Lynch' }, { role: 'music', name: 'Angelo Badalamenti' }], platforms: ['Paramount+'], tags: ['Mystery', 'Surreal'] },
      { score: { value: 8, max: 10 }, headline: 'Damn fine coffee', body: 'Soap opera, murder mystery and fever dream, often in one scene.', publishedAt: '2024-01-12T09:00:00.000Z' },
      'Ben Critic',
    ],
    [
      { title: 'Drive My Car', altTitles: [{ title: 'ドライブ・マイ・カー', type: 'original' }], kind: 'film', year: 2021, credits: [{ role: 'director', name: 'Ryūsuke Hamaguchi' }], tags: ['Drama'] },
      { score: { value: 3.5, max: 5 }, headline: 'Three hours well spent', body: 'Patient to a fault, then suddenly devastating.', publishedAt: '2024-02-28T09:00:00.000Z' },
      'Aiko Tanaka',
    ],
  ];
  for (const [work, review, author] of items) {
    await importParsedItem(db, makeItem(work, review), { author, now: () => review?.publishedAt ?? '2024-01-01T00:00:00.000Z' });
  }
  return seedBrowserExtras(db);
}
