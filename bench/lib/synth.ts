/**
 * The synthetic catalog: authors, people, studios, platforms, tags, works and reviews, all
 * decided by one seed. Small sections are built in memory; works and reviews are produced one
 * at a time (`work(id)`, `review(id)`) so a million reviews never sit in memory together.
 *
 * Works and reviews each draw from their own PRNG stream, seeded from the main seed and the
 * record id, so record N is the same whatever was generated before it.
 */
import type { AuthorRecord, MergeableRecord, NamedRecord, ReviewRecord, WorkRecord } from '../../src/interchange/interchange.schema.js';
import type { WorkKind } from '../../src/import/import.types.js';
import { nameKey } from '../../src/shared/text.js';
import { Rng } from './prng.js';
import { SlugSet } from './slugs.js';
import * as V from './vocab.js';

export interface SynthOptions {
  seed: number;
  works: number;
  reviews: number;
  authors: number;
  people: number;
  studios: number;
  platforms: number;
  tags: number;
}

/** Sizes in the proportions of the full dataset (1,000,000 reviews of 100,000 works), scaled down for small runs. */
export function defaultOptions(reviews: number, overrides: Partial<SynthOptions> = {}): SynthOptions {
  const works = overrides.works ?? Math.max(10, Math.min(100_000, Math.ceil(reviews / 10)));
  return {
    seed: 20261127,
    works,
    reviews,
    authors: Math.max(5, Math.min(2_000, Math.ceil(reviews / 50))),
    people: Math.max(20, Math.min(30_000, Math.ceil(works * 0.3))),
    studios: Math.max(5, Math.min(800, Math.ceil(works / 10))),
    platforms: 40,
    tags: 60,
    ...overrides,
  };
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const NAMED_EPOCH = Date.UTC(2009, 0, 1);
const WORK_EPOCH = Date.UTC(2009, 5, 1);
const REVIEW_EPOCH = Date.UTC(2010, 0, 1);

type Credit = WorkRecord['credits'][number];
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const article = (word: string) => `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;

/** Extra facts about a work that the interchange record refers to by slug, for rendering review files. */
export interface WorkExtras {
  credits: { role: string; name: string }[];
  studios: string[];
  platforms: string[];
  tags: string[];
  /** Original (Japanese) title if any. */
  original: string | null;
}

export class Catalog {
  readonly authors: AuthorRecord[] = [];
  readonly people: MergeableRecord[] = [];
  readonly studios: MergeableRecord[] = [];
  readonly platforms: MergeableRecord[] = [];
  readonly tags: NamedRecord[] = [];
  /** Slugs of works 1…n, filled as `work(id)` is called in id order. */
  readonly workSlugs: string[] = [];
  private readonly workSlugSet = new SlugSet();
  private readonly personRank: Int32Array;
  private readonly studioRank: Int32Array;
  private readonly workRank: Int32Array;
  private readonly authorRank: Int32Array;
  /** Review timestamps are strictly increasing, so (author, work, createdAt) never repeats. */
  private reviewClock = REVIEW_EPOCH;
  private nextReviewId = 1;

  constructor(readonly options: SynthOptions) {
    const rng = new Rng(options.seed);
    this.buildPeople(rng);
    this.buildAuthors(rng);
    this.buildFromCombos(rng, this.studios, options.studios, V.STUDIO_WORDS.flatMap((w) => V.STUDIO_FORMS.map((f) => f.replace('{w}', w))), 'studio');
    this.buildFromCombos(rng, this.platforms, options.platforms, V.PLATFORMS, 'platform');
    this.buildFromCombos(rng, this.tags, options.tags, V.TAGS, 'tag');
    this.personRank = rng.permutation(this.people.length);
    this.studioRank = rng.permutation(this.studios.length);
    this.workRank = rng.permutation(options.works);
    this.authorRank = rng.permutation(this.authors.length);
  }

  // ── Named sections ──────────────────────────────────────────────────────────────────

  private personName(rng: Rng): string {
    const style = rng.weighted([
      ['ja', 35],
      ['proc', 45],
      ['eu', 12],
      ['mixed', 8],
    ] as const);
    const procGiven = () => rng.pick(V.GIVEN_HEAD) + rng.pick(V.GIVEN_TAIL);
    const procFamily = () => rng.pick(V.FAMILY_HEAD) + rng.pick(V.FAMILY_TAIL);
    switch (style) {
      case 'ja':
        return `${rng.pick(V.GIVEN_JA)} ${rng.pick(V.FAMILY_JA)}`;
      case 'proc':
        return `${procGiven()} ${procFamily()}`;
      case 'eu':
        return `${rng.pick(V.GIVEN_EU)} ${rng.pick(V.FAMILY_EU)}`;
      case 'mixed':
        return `${rng.pick(V.GIVEN_JA)} ${procFamily()}`;
    }
  }

  /** A name whose folded key is not in `keys` (the database keeps one record per key). */
  private uniqueName(rng: Rng, keys: Set<string>, make: () => string): string {
    for (let attempt = 0; ; attempt++) {
      let name = make();
      if (attempt > 20) name = name.replace(' ', ` ${String.fromCharCode(65 + rng.int(0, 25))}. `);
      const key = nameKey(name);
      if (key && !keys.has(key)) {
        keys.add(key);
        return name;
      }
    }
  }

  private buildPeople(rng: Rng) {
    const keys = new Set<string>();
    const slugs = new SlugSet();
    const kanji = [...V.KANJI_PEOPLE];
    const every = Math.max(2, Math.floor(this.options.people / (kanji.length + 1)));
    for (let id = 1; id <= this.options.people; id++) {
      let name: string;
      let reading: string;
      const k = id % every === 0 ? kanji.shift() : undefined;
      if (k && !keys.has(nameKey(k[0]))) {
        keys.add(nameKey(k[0]));
        [name, reading] = k;
      } else {
        name = this.uniqueName(rng, keys, () => this.personName(rng));
        reading = name;
      }
      this.people.push({ id, slug: slugs.take([reading], 'person'), name, createdAt: iso(NAMED_EPOCH + id * 60_000), mergedFrom: [] });
    }
  }

  private buildAuthors(rng: Rng) {
    const keys = new Set<string>();
    const slugs = new SlugSet();
    const handle = () => {
      const a = rng.pick([...V.EN_ADJ, ...V.ROMAJI_NOUN]);
      const b = rng.pick(['Reviews', 'Watches', 'Anime', 'Cinema', 'Critic', 'Notes', 'Takes', 'Otaku', 'Screens', 'Frames', 'Club']);
      return rng.chance(0.5) ? `${a} ${b}` : `${a}${b}`;
    };
    for (let id = 1; id <= this.options.authors; id++) {
      const name = this.uniqueName(rng, keys, () => (rng.chance(0.6) ? this.personName(rng) : handle()));
      const bio = rng.chance(0.5)
        ? null
        : `${cap(rng.pick(V.R_ADJ))} reviews of ${rng.pick(V.TAGS).toLowerCase()} and ${rng.pick(V.TAGS).toLowerCase()} since ${rng.int(1998, 2020)}. ${rng.pick(V.R_FILLER)}`;
      this.authors.push({ id, slug: slugs.take([name], 'author'), name, bio, createdAt: iso(NAMED_EPOCH + id * 60_000) });
    }
  }

  private buildFromCombos(rng: Rng, into: (NamedRecord | MergeableRecord)[], count: number, names: string[], fallback: string) {
    const keys = new Set<string>();
    const slugs = new SlugSet();
    const order = rng.permutation(names.length);
    let round = 1;
    let i = 0;
    for (let id = 1; id <= count; id++) {
      let name: string;
      do {
        if (i === names.length) {
          i = 0;
          round++;
        }
        const base = names[order[i++]!]!;
        name = round === 1 ? base : `${base} ${round}`;
      } while (keys.has(nameKey(name)));
      keys.add(nameKey(name));
      const record = { id, slug: slugs.take([name], fallback), name, createdAt: iso(NAMED_EPOCH + id * 60_000) };
      // Tags cannot be merged; studios and platforms carry what was merged into them (nothing here).
      into.push(fallback === 'tag' ? record : { ...record, mergedFrom: [] });
    }
  }

  // ── Works ───────────────────────────────────────────────────────────────────────────

  private titles(rng: Rng): { main: string; slugFrom: string; alts: WorkRecord['altTitles']; original: string | null } {
    const lang = rng.weighted([
      ['en', 45],
      ['romaji', 40],
      ['ja', 15],
    ] as const);
    const kanjiPair = () => {
      const [k1, r1] = rng.pick(V.KANJI_WORD);
      const [k2, r2] = rng.pick(V.KANJI_WORD);
      const [kj, rj] = rng.pick([
        ['の', 'no'],
        ['と', 'to'],
      ] as const);
      return { original: `${k1}${kj}${k2}`, romaji: `${r1} ${rj} ${r2}` };
    };
    const english = () => {
      const A = () => rng.pick(V.EN_ADJ);
      const N = () => rng.pick(V.EN_NOUN);
      switch (rng.int(0, 7)) {
        case 0:
          return `The ${A()} ${N()}`;
        case 1:
          return `${N()} of the ${A()} ${N()}`;
        case 2:
          return `${A()} ${N()}`;
        case 3:
          return `${rng.pick(V.EN_NAMES)} and the ${A()} ${N()}`;
        case 4:
          return `A ${N()} for ${rng.pick(V.EN_NAMES)}`;
        case 5:
          return rng.chance(0.2) ? `${N()} ≠ ${N()}` : `${N()} & ${N()}`;
        case 6:
          return `${rng.pick(V.EN_NAMES)}'s ${A()} ${N()}`;
        default:
          return `${N()}s of ${rng.pick(['Tomorrow', 'Yesterday', 'the North', 'the Deep', 'Tōkyō', 'Glass', 'Ash'])}`;
      }
    };
    const romaji = () => {
      const N = () => rng.pick(V.ROMAJI_NOUN);
      switch (rng.int(0, 4)) {
        case 0:
          return `${N()} no ${N()}`;
        case 1:
          return `${N()} to ${N()}`;
        case 2:
          return `${rng.pick(V.ROMAJI_ADJ)} ${N()}`;
        case 3:
          return `${N()} wa ${N()} ni ${rng.pick(V.ROMAJI_VERB)}`;
        default:
          return `Shin ${N()} no ${N()}`;
      }
    };
    const sequel = rng.chance(0.08) ? rng.pick(V.SEQUEL) : '';
    const alts: WorkRecord['altTitles'] = [];
    let main: string;
    let slugFrom: string;
    let original: string | null = null;
    if (lang === 'en') {
      main = english() + sequel;
      slugFrom = main;
      if (rng.chance(0.3)) {
        const k = kanjiPair();
        original = k.original;
        alts.push({ title: k.original, type: 'original' });
        if (rng.chance(0.7)) alts.push({ title: k.romaji, type: 'romaji' });
      }
    } else if (lang === 'romaji') {
      if (rng.chance(0.5)) {
        const k = kanjiPair();
        main = k.romaji + sequel;
        original = k.original;
        alts.push({ title: k.original, type: 'original' });
      } else {
        main = romaji() + sequel;
      }
      slugFrom = main;
      if (rng.chance(0.6)) alts.push({ title: english(), type: 'english' });
    } else {
      if (rng.chance(0.15)) {
        main = rng.pick(V.KANA_TITLE);
        const en = english();
        slugFrom = en;
        alts.push({ title: en, type: 'english' });
      } else {
        const k = kanjiPair();
        main = k.original;
        slugFrom = k.romaji;
        alts.push({ title: k.romaji, type: 'romaji' });
        if (rng.chance(0.7)) alts.push({ title: english(), type: 'english' });
      }
      original = main;
    }
    if (rng.chance(0.05)) {
      const initials = main.split(/\s+/).map((w) => w.charAt(0)).join('').toUpperCase();
      if (/^[A-Z]{2,}$/.test(initials)) alts.push({ title: initials, type: 'other' });
    }
    return { main, slugFrom, alts, original };
  }

  private synopsis(rng: Rng): string {
    const who = rng.pick(V.EN_NAMES);
    const sentences = [
      `When ${who} finds ${article(rng.pick(V.EN_ADJ).toLowerCase())} ${rng.pick(V.EN_NOUN).toLowerCase()} in ${rng.pick(['Tōkyō', 'a seaside town', 'the old district', 'orbit', 'a mountain school', 'Ōsaka', 'the capital'])}, everything changes.`,
      `${who} and ${rng.pick(V.EN_NAMES)} must keep a ${rng.pick(V.EN_NOUN).toLowerCase()} from the ${rng.pick(V.EN_ADJ).toLowerCase()} ${rng.pick(V.EN_NOUN).toLowerCase()}.`,
      `A story about ${rng.pick(V.TAGS).toLowerCase()}, ${rng.pick(V.R_NOUN)} and growing up.`,
    ];
    return rng.sample(sentences, rng.int(1, 3)).join(' ');
  }

  /** Work `id` (1-based). Call in id order: reviews refer to works by the slugs recorded here. */
  work(id: number): { record: WorkRecord; extras: WorkExtras } {
    const rng = new Rng((this.options.seed ^ Math.imul(id, 0x9e3779b1)) >>> 0);
    const t = this.titles(rng);
    const kind = rng.weighted<WorkKind | null>([
      ['anime_series', 40],
      ['anime_film', 15],
      ['ova', 5],
      ['ona', 5],
      ['special', 3],
      ['series', 15],
      ['film', 15],
      ['other', 1],
      [null, 1],
    ]);
    const year = rng.chance(0.02) ? null : 2026 - Math.floor(67 * Math.pow(rng.next(), 1.7));
    const slug = this.workSlugSet.take(year === null ? [t.slugFrom] : [t.slugFrom, `${t.slugFrom} ${year}`], 'work');
    this.workSlugs[id - 1] = slug;
    const anime = kind !== null && kind !== 'series' && kind !== 'film' && kind !== 'other';

    const externalIds: Record<string, string> = {};
    if (anime) {
      if (rng.chance(0.6)) externalIds.anilist = String(100_000 + id * 2);
      if (rng.chance(0.7)) externalIds.mal = String(10_000 + id);
    } else {
      if (rng.chance(0.6)) externalIds.imdb = `tt${String(1_000_000 + id * 7).padStart(7, '0')}`;
      if (rng.chance(0.5)) externalIds.tmdb = String(500_000 + id * 3);
    }

    const creditCount = rng.weighted([
      [1, 25],
      [2, 35],
      [3, 25],
      [4, 15],
    ] as const);
    const credits: WorkRecord['credits'] = [];
    const creditNames: WorkExtras['credits'] = [];
    const seen = new Set<string>();
    const roles = ['writer', 'music', 'original_creator', 'character_design', 'animation_director', 'producer', 'cast'] as const;
    for (let i = 0; i < creditCount; i++) {
      const role = i === 0 ? 'director' : rng.pick(roles);
      const person = this.people[this.personRank[rng.skewed(this.people.length, 1.6)]!]!;
      if (seen.has(`${role}/${person.slug}`)) continue;
      seen.add(`${role}/${person.slug}`);
      // `as`: the interchange schema's Static type makes `role` (and `kind`) `never`; see bench/README.md.
      credits.push({ role: role as Credit['role'], person: person.slug });
      creditNames.push({ role, name: person.name });
    }

    const studioCount = anime ? rng.weighted([[1, 85], [2, 10], [0, 5]] as const) : rng.weighted([[0, 50], [1, 50]] as const);
    const studios = new Map<string, string>();
    while (studios.size < Math.min(studioCount, this.studios.length)) {
      const s = this.studios[this.studioRank[rng.skewed(this.studios.length, 1.5)]!]!;
      studios.set(s.slug, s.name);
    }
    const platforms = new Map<string, string>();
    const platformCount = rng.int(0, 3);
    while (platforms.size < Math.min(platformCount, this.platforms.length)) {
      const p = this.platforms[rng.skewed(this.platforms.length, 1.5)]!;
      platforms.set(p.slug, p.name);
    }
    const tags = new Map<string, string>();
    const tagCount = rng.int(1, 5);
    while (tags.size < Math.min(tagCount, this.tags.length)) {
      const g = this.tags[rng.skewed(this.tags.length, 1.4)]!;
      tags.set(g.slug, g.name);
    }

    const createdAt = WORK_EPOCH + id * 120_000;
    const updatedAt = rng.chance(0.7) ? createdAt : createdAt + rng.int(1, 400) * DAY;
    const record: WorkRecord = {
      id,
      slug,
      title: t.main,
      altTitles: t.alts,
      kind: kind as WorkRecord['kind'],
      year,
      episodes: null,
      synopsis: rng.chance(0.6) ? this.synopsis(rng) : null,
      externalIds,
      credits,
      studios: [...studios.keys()],
      platforms: [...platforms.keys()],
      tags: [...tags.keys()],
      createdAt: iso(createdAt),
      updatedAt: iso(updatedAt),
      mergedFrom: [],
    };
    return {
      record,
      extras: { credits: creditNames, studios: [...studios.values()], platforms: [...platforms.values()], tags: [...tags.values()], original: t.original },
    };
  }

  // ── Reviews ─────────────────────────────────────────────────────────────────────────

  /** A review of a popular-skewed work by a popular-skewed author. Call in id order from 1. */
  review(): ReviewRecord {
    const id = this.nextReviewId++;
    const rng = new Rng((this.options.seed ^ Math.imul(id, 0x85ebca6b) ^ 0x5bd1e995) >>> 0);
    const work = this.workSlugs[this.workRank[rng.skewed(this.options.works, 2.2)]!];
    if (work === undefined) throw new Error('generate works before reviews');
    const author = this.authors[this.authorRank[rng.skewed(this.authors.length, 2)]!]!.slug;
    this.reviewClock += rng.int(1, 1000) * 1000;
    const createdAt = this.reviewClock;
    const draft = rng.chance(0.05);
    const updatedAt = rng.chance(0.7) ? createdAt : createdAt + rng.int(1, 200) * 3_600_000;
    const { score, scoreText, rating } = reviewScore(rng);
    const { body, hasSpoilers } = reviewBody(rng, rng.int(300, 3000));
    return {
      id,
      work,
      author,
      status: draft ? 'draft' : 'published',
      headline: rng.chance(0.7) ? headline(rng) : null,
      summary: rng.chance(0.35) ? `${rng.pick(V.R_OPEN)} ${sentence(rng)}` : null,
      body,
      score,
      scoreText,
      rating,
      hasSpoilers,
      publishedAt: draft ? null : iso(createdAt + rng.int(0, 48) * 3_600_000),
      // In the exporter's key order, so that --verify can compare bytes.
      sources: [],
      createdAt: iso(createdAt),
      updatedAt: iso(updatedAt),
    };
  }
}

// ── Prose ─────────────────────────────────────────────────────────────────────────────

export function reviewScore(rng: Rng): { score: ReviewRecord['score']; scoreText: string | null; rating: number | null } {
  if (rng.chance(0.08)) return { score: null, scoreText: null, rating: null };
  const max = rng.weighted([
    [5, 45],
    [10, 40],
    [100, 15],
  ] as const);
  // Reviewers rate generously: most scores sit in the upper half of the scale.
  const u = 1 - Math.pow(rng.next(), 1.8);
  let value: number;
  if (max === 5) value = Math.max(0.5, Math.round(u * 10) / 2);
  else if (max === 10) value = rng.chance(0.1) ? Math.max(0.5, Math.round(u * 20) / 2) : Math.max(1, Math.round(u * 10));
  else value = Math.max(10, Math.round(u * 100));
  let scoreText: string;
  if (max === 5 && rng.chance(0.2)) scoreText = '★'.repeat(Math.floor(value)) + (value % 1 ? '½' : '');
  else if (rng.chance(0.5)) scoreText = `${value} out of ${max}`;
  else scoreText = `${value}/${max}`;
  return { score: { value, max }, scoreText, rating: Math.round((value / max) * 100) };
}

export function sentence(rng: Rng): string {
  switch (rng.int(0, 6)) {
    case 0:
      return `The ${rng.pick(V.R_NOUN)} ${rng.pick(V.R_VERB)} the ${rng.pick(V.R_NOUN)} ${rng.pick(V.R_ADV)}.`;
    case 1:
      return `${cap(rng.pick(V.R_NOUN))} is ${rng.pick(V.R_ADJ)}, and the ${rng.pick(V.R_NOUN)} is ${rng.pick(V.R_ADJ)}.`;
    case 2:
      return `${rng.pick(V.R_OPEN)} the ${rng.pick(V.R_NOUN)} feels ${rng.pick(V.R_ADJ)} next to the ${rng.pick(V.R_ADJ)} ${rng.pick(V.R_NOUN)}.`;
    case 3:
      return rng.pick(V.R_FILLER);
    case 4:
      return `Episode ${rng.int(1, 24)} is where the ${rng.pick(V.R_NOUN)} ${rng.pick(V.R_VERB)} everything.`;
    case 5:
      return `I found the ${rng.pick(V.R_NOUN)} *${rng.pick(V.R_ADJ)}*, though the ${rng.pick(V.R_NOUN)} is **${rng.pick(V.R_ADJ)}**.`;
    default:
      return `If you liked ${rng.pick(V.EN_NAMES)}'s arc, the ${rng.pick(V.R_NOUN)} will feel ${rng.pick(V.R_ADJ)} and ${rng.pick(V.R_ADJ)}.`;
  }
}

function headline(rng: Rng): string {
  return rng
    .pick(V.HEADLINE_FORMS)
    .replace('{Adj}', cap(rng.pick(V.R_ADJ)))
    .replace(/\{adj\}/g, () => rng.pick(V.R_ADJ))
    .replace('{noun2}', rng.pick(V.R_NOUN))
    .replace(/\{noun\}/g, () => rng.pick(V.R_NOUN));
}

const SPOILER_MARKUP = /\|\|(?=\S)[\s\S]*?\|\||^::: *spoiler\b/m;

const MIN_BODY = 300;
const MAX_BODY = 3000;

/** Markdown of about `target` characters (300–3,000): paragraphs, sometimes a heading, a list, a quote, spoilers. */
export function reviewBody(rng: Rng, target: number): { body: string; hasSpoilers: boolean } {
  const inlineSpoiler = rng.chance(0.12);
  const blockSpoiler = rng.chance(0.03);
  const parts: string[] = [];
  let length = 0;
  let spoilerPlaced = false;
  const add = (p: string) => {
    parts.push(p);
    length += p.length + 2;
  };
  while (length < target) {
    const roll = rng.next();
    if (parts.length > 0 && roll < 0.06) add(`## ${cap(rng.pick(V.R_NOUN))}`);
    else if (roll < 0.1) add(Array.from({ length: rng.int(2, 4) }, () => `- ${sentence(rng)}`).join('\n'));
    else if (roll < 0.13) add(`> ${sentence(rng)}`);
    else {
      const n = rng.int(2, 5);
      const sentences: string[] = [];
      for (let i = 0; i < n; i++) sentences.push(sentence(rng));
      if (inlineSpoiler && !spoilerPlaced && parts.length > 0) {
        sentences.splice(rng.int(0, n), 0, `Without hiding it: ||${rng.pick(V.SPOILER_LINES)}||.`);
        spoilerPlaced = true;
      }
      add(sentences.join(' '));
    }
    if (blockSpoiler && !spoilerPlaced && parts.length >= 2) {
      add(`::: spoiler The ending\n${cap(rng.pick(V.SPOILER_LINES))}, and ${sentence(rng).toLowerCase()}\n:::`);
      spoilerPlaced = true;
    }
  }
  const joined = () => parts.reduce((a, p) => a + p.length, 0) + 2 * (parts.length - 1);
  // Trim whole parts from the end: always while over the maximum, and toward the target while
  // the body stays long enough (keeping a placed inline spoiler).
  while (
    parts.length > 1 &&
    (joined() > MAX_BODY ||
      (joined() - parts[parts.length - 1]!.length - 2 >= Math.max(MIN_BODY, target - 200) && !parts[parts.length - 1]!.includes('||')))
  ) {
    parts.pop();
  }
  // A heading must not end the body; then make sure of the minimum.
  while (parts.length > 1 && parts[parts.length - 1]!.startsWith('## ')) parts.pop();
  while (joined() < MIN_BODY) parts.push(sentence(rng));
  let body = parts.join('\n\n');
  if (body.length > MAX_BODY) body = body.slice(0, body.lastIndexOf('.', MAX_BODY - 1) + 1) || body.slice(0, MAX_BODY);
  return { body, hasSpoilers: SPOILER_MARKUP.test(body) };
}
