/**
 * The items of an import that certainly make new works are written at once, with multi-row
 * statements (import.service.ts#writeNewWorksAtOnce). What that writes must be what writing
 * them one by one writes: the same works, titles, ids, credits, studios, platforms, tags and the
 * names they link to, reviews, renderings, search documents, aggregates, list entries and
 * report. These tests import the same entries both ways into two databases and compare
 * everything but the ids.
 */
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import type { Db } from '../db/connection.js';
import { importParsedItem } from './import.service.js';
import type { SourceEntry, SourceItem } from './import.types.js';
import { listImportItems } from './runs.repository.js';
import { runImport } from './runs.service.js';

function entry(title: string, extra: { mal?: string; year?: number | null; score?: number | null; max?: number; body?: string; alt?: string[]; author?: string } & Partial<SourceItem> = {}): SourceEntry {
  const { mal, year = null, score = 8, max = 10, body = '', alt = [], author, ...rest } = extra;
  const item: SourceItem = {
    work: {
      title,
      altTitles: alt.map((t) => ({ title: t, type: 'english' as const })),
      kind: 'anime_series',
      year,
      synopsis: null,
      credits: [],
      studios: [],
      platforms: [],
      tags: [],
      externalIds: mal ? { mal } : {},
      episodes: 12,
    },
    review:
      score === null
        ? null
        : {
            headline: body ? `On ${title}` : null,
            summary: null,
            score: { value: score, max },
            scoreText: `${score}/${max}`,
            rating: Math.round((score / max) * 100),
            body,
            hasSpoilers: body.includes('||'),
            publishedAt: '2021-05-06',
            status: 'published',
          },
    entry: { status: 'completed', progress: 12, startedOn: null, finishedOn: '2021-05-06', timesWatched: 1, tags: ['mine'] },
    ...(author ? { author } : {}),
    warnings: [],
    ...rest,
  };
  return { ref: title, item };
}

/** A batch with every case: new works, repeats within the batch, works already there, items the bulk path leaves alone. */
function entries(): SourceEntry[] {
  const withNames = (e: SourceEntry, names: Pick<SourceItem['work'], 'credits' | 'studios' | 'platforms' | 'tags'>) => {
    if ('item' in e) Object.assign(e.item.work, names);
    return e;
  };
  return [
    // A credit repeated (once with other spelling) and a person in two roles; a studio, platform
    // and tag written twice; names already known, and names shared with another new work.
    withNames(entry('Monster', { mal: '19', year: 2004 }), {
      credits: [
        { role: 'director', name: 'Masayuki Kojima' },
        { role: 'director', name: 'MASAYUKI  KOJIMA' },
        { role: 'writer', name: 'Masayuki Kojima' },
        { role: 'music', name: 'Kuniaki Haishima' },
      ],
      studios: ['Madhouse', 'madhouse'],
      platforms: ['Netflix', 'Crunchyroll', 'NETFLIX'],
      tags: ['Thriller', 'Mystery', 'thriller'],
    }),
    entry('Cowboy Bebop', { mal: '1', year: 1998, score: 9, body: 'Still the coolest ending.\n\nThen ||Spike walks in|| alone.', alt: ['カウボーイビバップ', 'Cowboy Bebop'] }),
    entry('Mushishi', { mal: '457', score: null }),
    entry('Ping Pong the Animation', { mal: '22135', score: 10, body: 'The best sports anime.', author: 'Ben Ito' }),
    entry('Already Here', { mal: '900', score: 6 }),
    entry('Same Title', { mal: '31', year: 2010 }),
    entry('Same Title', { mal: '32', year: 2010, score: 5 }),
    withNames(entry('Paranoia Agent', { mal: '323', year: 2004, score: 8, body: 'Kojima again, and Kon.' }), {
      credits: [
        { role: 'director', name: 'Satoshi Kon' },
        { role: 'director', name: 'Masayuki Kojima' },
      ],
      studios: ['Madhouse'],
      platforms: ['Known Platform'],
      tags: ['Mystery', 'Psychological'],
    }),
    entry('Twice Listed', { mal: '40' }),
    entry('Twice Listed Again', { mal: '40', score: 3 }),
    entry('Bad Score', { mal: '50', score: 14, max: 3 }),
    entry('Old Address', { mal: '60', sourceUrl: 'https://blog.example/2020/old-address/' }),
    { ref: 'anime 70', skip: 'a manga entry' },
    { ref: 'anime 71', error: 'series_title is missing' },
    entry('Kaiba', { mal: '5187', year: 2008, score: 7, alt: ['Kaiba (TV)'] }),
    entry('Boom', { mal: '80', score: 4 }),
    entry('Tatami Galaxy', { mal: '7785', year: 2010, score: 9, body: '# A heading\n\nWords *and* more.' }),
  ];
}

async function* from(list: SourceEntry[]): AsyncGenerator<SourceEntry> {
  yield* list;
}

/** Everything an import writes, keyed by slugs and names instead of ids. */
async function snapshot(db: Db, runId: number) {
  const works = await db.kysely.selectFrom('works').selectAll().orderBy('slug').execute();
  const slugOf = new Map(works.map((w) => [w.id, w.slug]));
  const titles = await db.kysely.selectFrom('workTitles').selectAll().execute();
  const ids = await db.kysely.selectFrom('workExternalIds').selectAll().execute();
  const reviews = await db.kysely.selectFrom('reviews').innerJoin('authors', 'authors.id', 'reviews.authorId').selectAll('reviews').select('authors.name as author').execute();
  const reviewKey = new Map(reviews.map((r) => [r.id, `${slugOf.get(r.workId)} by ${r.author}`]));
  const renders = await db.kysely.selectFrom('reviewRenders').selectAll().execute();
  const entries = await db.kysely.selectFrom('listEntries').innerJoin('authors', 'authors.id', 'listEntries.authorId').selectAll('listEntries').select('authors.name as author').execute();
  const sources = await db.kysely.selectFrom('reviewSources').selectAll().execute();
  const credits = await db.kysely.selectFrom('credits').innerJoin('people', 'people.id', 'credits.personId').select(['credits.workId', 'credits.role', 'credits.position', 'people.slug']).execute();
  const links = async (table: 'workStudios' | 'workPlatforms' | 'workTags', named: 'studios' | 'platforms' | 'tags', column: 'studioId' | 'platformId' | 'tagId') =>
    sort(
      (await db.kysely.selectFrom(table).selectAll().execute()).map((l) => {
        const { workId, position } = l as { workId: number; position: number };
        return { work: slugOf.get(workId), named: (l as Record<string, number>)[column], position };
      }),
    ).map((row) => row.replace(/"named":(\d+)/, (_, id: string) => `"named":${JSON.stringify(namesById[named].get(Number(id)))}`));
  const namesById = {} as Record<'people' | 'studios' | 'platforms' | 'tags', Map<number, string>>;
  for (const table of ['people', 'studios', 'platforms', 'tags'] as const) {
    namesById[table] = new Map((await db.kysely.selectFrom(table).select(['id', 'slug', 'name', 'nameKey']).execute()).map((n) => [n.id, `${n.slug} ${n.name} ${n.nameKey}`]));
  }
  const documents = async (entity: 'works' | 'reviews') => {
    const rows =
      db.dialect === 'sqlite'
        ? (await sql<{ id: number; document: string }>`select rowid as id, document from ${sql.table(`${entity}_search`)}`.execute(db.kysely)).rows
        : (await sql<{ id: number; document: string }>`select ${sql.ref(entity === 'works' ? 'work_id' : 'review_id')} as id, document from ${sql.table(`${entity}_search`)}`.execute(db.kysely)).rows;
    return rows.map((r) => `${entity === 'works' ? slugOf.get(r.id) : reviewKey.get(r.id)}: ${r.document}`).sort();
  };
  const report = await listImportItems(db.kysely, runId, {});
  const sort = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();
  return {
    // The page stamp counts write statements (PostgreSQL), which the two paths need not share.
    works: works.map(({ id: _id, pageStamp: _stamp, ...w }) => w),
    titles: sort(titles.map(({ workId, ...t }) => ({ work: slugOf.get(workId), ...t }))),
    ids: sort(ids.map(({ workId, ...x }) => ({ work: slugOf.get(workId), ...x }))),
    reviews: sort(reviews.map(({ id: _id, workId, authorId: _a, ...r }) => ({ work: slugOf.get(workId), ...r }))),
    renders: sort(renders.map(({ reviewId, ...r }) => ({ review: reviewKey.get(reviewId), ...r }))),
    entries: sort(entries.map(({ id: _id, workId, authorId: _a, ...e }) => ({ work: slugOf.get(workId), ...e }))),
    sources: sort(sources.map(({ reviewId, ...s }) => ({ review: reviewKey.get(reviewId), ...s }))),
    names: Object.fromEntries(Object.entries(namesById).map(([table, names]) => [table, [...names.values()].sort()])),
    credits: sort(credits.map(({ workId, ...c }) => ({ work: slugOf.get(workId), ...c }))),
    studios: await links('workStudios', 'studios', 'studioId'),
    platforms: await links('workPlatforms', 'platforms', 'platformId'),
    tags: await links('workTags', 'tags', 'tagId'),
    workDocuments: await documents('works'),
    reviewDocuments: await documents('reviews'),
    report: report.map(({ importId: _i, workId, reviewId, entryId, previous, ...r }) => ({
      ...r,
      previous: previous === null ? null : withoutIds(JSON.parse(previous)),
      work: workId === null ? null : slugOf.get(workId),
      review: reviewId === null ? null : reviewKey.get(reviewId),
      entry: entryId !== null,
    })),
  };
}

/** What undoing an entry restores, without the row ids that differ from one database to the other. */
function withoutIds(previous: Record<string, Record<string, unknown> | undefined>) {
  return Object.fromEntries(Object.entries(previous).map(([k, row]) => [k, row && Object.fromEntries(Object.entries(row).filter(([c]) => !/^(id|workId|authorId)$/.test(c)))]));
}

/** A database with one work the batch will meet again, and a trigger refusing the work "Boom". */
async function prepared(fresh: () => Promise<{ db: Db }>): Promise<Db> {
  const { db } = await fresh();
  await importParsedItem(
    db,
    makeItem({ title: 'Already Here', year: null, externalIds: { mal: '900' }, credits: [{ role: 'director', name: 'Satoshi Kon' }], platforms: ['Known Platform'] }, { body: 'Written before.' }),
    { author: 'Aiko Tanaka', now: () => '2021-01-01T00:00:00.000Z' },
  );
  if (db.dialect === 'sqlite') {
    await sql`create trigger refuse_boom before insert on works when new.slug = 'boom' begin select raise(abort, 'refused by a test trigger'); end`.execute(db.kysely);
  } else {
    await sql`create function refuse_boom() returns trigger as $$ begin if new.slug = 'boom' then raise exception 'refused by a test trigger'; end if; return new; end $$ language plpgsql`.execute(db.kysely);
    await sql`create trigger refuse_boom before insert on works for each row execute function refuse_boom()`.execute(db.kysely);
  }
  return db;
}

const options = { format: 'mal', source: 'animelist.xml', author: 'Aiko Tanaka', now: () => '2026-11-28T12:00:00.000Z' };

forEachDatabase((fresh) => {
  it('writes new works at once exactly as it writes them one by one', async () => {
    const atOnce = await prepared(fresh);
    const oneByOne = await prepared(fresh);
    // "Boom" fails the multi-row insert of its batch: that batch is written again item by item.
    const a = await runImport(atOnce, from(entries()), { ...options, batchSize: 8 });
    const b = await runImport(oneByOne, from(entries()), { ...options, batchSize: 8, bulk: false });
    expect(a.counts).toEqual(b.counts);
    expect(a.counts).toMatchObject({ entries: 17, skipped: 1, failed: 3 });
    const [sa, sb] = [await snapshot(atOnce, a.id), await snapshot(oneByOne, b.id)];
    expect(sa).toEqual(sb);
    expect(sa.report.find((r) => r.ref === 'Boom')).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('refused by a test trigger') });
    expect(sa.report.find((r) => r.ref === 'Bad Score')).toMatchObject({ outcome: 'failed' });
    expect(sa.works.find((w) => w.slug === 'cowboy-bebop')).toMatchObject({ reviewCount: 1, ratingCount: 1, ratingSum: 90 });

    expect(sa.credits.filter((c) => c.includes('"work":"monster"'))).toHaveLength(3);
    expect(sa.names.people).toEqual(['kuniaki-haishima Kuniaki Haishima kuniaki haishima', 'masayuki-kojima Masayuki Kojima masayuki kojima', 'satoshi-kon Satoshi Kon satoshi kon']);
    expect(sa.workDocuments).toContain('paranoia-agent: paranoia agent satoshi kon masayuki kojima madhouse 2004');

    // The first batch had its new works written ahead of the two that share a title: ids show the order.
    const idOf = async (db: Db, title: string) => (await db.kysely.selectFrom('works').select('id').where('title', '=', title).executeTakeFirstOrThrow()).id;
    expect(await idOf(atOnce, 'Paranoia Agent')).toBeLessThan(await idOf(atOnce, 'Same Title'));
    expect(await idOf(oneByOne, 'Paranoia Agent')).toBeGreaterThan(await idOf(oneByOne, 'Same Title'));
  });

  it('changes nothing when the same entries come again', async () => {
    const db = await prepared(fresh);
    // Without the entry that lists a work a second time with another score: each run would change that score twice.
    const once = () => entries().filter((e) => e.ref !== 'Twice Listed Again');
    const first = await runImport(db, from(once()), { ...options, batchSize: 8 });
    const before = await snapshot(db, first.id);
    const again = await runImport(db, from(once()), { ...options, batchSize: 8 });
    expect(again.counts).toMatchObject({ entries: 16, created: 0, updated: 0 });
    const after = await snapshot(db, again.id);
    expect({ ...after, report: [] }).toEqual({ ...before, report: [] });
  });
});
