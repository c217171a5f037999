/**
 * What a JSON restore could cost at best on this machine, step by step, for comparison with
 * importJson: the same document, the same schema (fresh database by openDatabase), but
 * each step done the cheapest way.
 *
 *   npx tsx bench/lib/json-floor.ts [bench/data/kansou-100000.json]
 *
 *   1. read + scan records (record-stream.ts) + validate (the compiled TypeBox validators)
 *   2. + insert the rows with prepared better-sqlite3 statements, 1,000 per transaction
 *   3. + the FTS documents (searchDocument / reviewSearchDocument, as the app folds them)
 *   4. + work aggregates once at the end, one grouped statement
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Compile } from 'typebox/compile';
import { openDatabase } from '../../src/db/connection.js';
import { readRecords } from '../../src/interchange/record-stream.js';
import { SECTIONS, type AuthorRecord, type NamedRecord, type ReviewRecord, type SectionName, type WorkRecord } from '../../src/interchange/interchange.schema.js';
import { reviewSearchDocument } from '../../src/reviews/reviews.service.js';
import { searchDocument } from '../../src/search/search.js';
import { nameKey } from '../../src/shared/text.js';

const file = resolve(process.argv[2] ?? 'bench/data/kansou-100000.json');
const validators = Object.fromEntries(Object.entries(SECTIONS).map(([k, v]) => [k, Compile(v)])) as Record<SectionName, ReturnType<typeof Compile>>;

async function run(level: 1 | 2 | 3 | 4): Promise<{ seconds: number; reviews: number }> {
  const tmp = mkdtempSync(join(tmpdir(), 'kansou-floor-'));
  const db = await openDatabase(join(tmp, 'k.db'));
  const s = db.sqlite!;
  const named = (t: string) => s.prepare(`insert into ${t} (id, slug, name, name_key, created_at) values (?, ?, ?, ?, ?)`);
  const ins = {
    authors: s.prepare('insert into authors (id, slug, name, name_key, bio, created_at) values (?, ?, ?, ?, ?, ?)'),
    people: named('people'),
    studios: named('studios'),
    platforms: named('platforms'),
    tags: named('tags'),
    work: s.prepare('insert into works (id, slug, title, kind, year, synopsis, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)'),
    title: s.prepare('insert into work_titles (work_id, position, title, type, title_key) values (?, ?, ?, ?, ?)'),
    ext: s.prepare('insert into work_external_ids (work_id, source, external_id) values (?, ?, ?)'),
    credit: s.prepare('insert into credits (work_id, person_id, role, position) values (?, ?, ?, ?)'),
    studio: s.prepare('insert into work_studios (work_id, studio_id, position) values (?, ?, ?)'),
    platform: s.prepare('insert into work_platforms (work_id, platform_id, position) values (?, ?, ?)'),
    tag: s.prepare('insert into work_tags (work_id, tag_id, position) values (?, ?, ?)'),
    workDoc: s.prepare('insert into works_search (rowid, document) values (?, ?)'),
    review: s.prepare(
      'insert into reviews (id, work_id, author_id, status, headline, summary, body, score_value, score_max, score_text, rating, has_spoilers, published_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    reviewDoc: s.prepare('insert into reviews_search (rowid, document) values (?, ?)'),
  };
  const ids: Record<string, Map<string, number>> = { authors: new Map(), people: new Map(), studios: new Map(), platforms: new Map(), tags: new Map(), works: new Map() };
  const names: Record<string, Map<string, string>> = { people: new Map(), studios: new Map() };
  const workTitles = new Map<number, string>();
  let batch: (() => void)[] = [];
  const flush = s.transaction(() => {
    for (const f of batch) f();
  });
  const push = (f: () => void) => {
    if (level < 2) return;
    batch.push(f);
    if (batch.length >= 1000) {
      flush();
      batch = [];
    }
  };
  let reviews = 0;
  const started = performance.now();
  for await (const rec of readRecords(createReadStream(file))) {
    if (rec.kind !== 'item') continue;
    const section = rec.section as SectionName;
    if (section === 'listEntries') continue; // generated documents carry none
    if (!validators[section].Check(rec.value)) throw new Error(`invalid ${section} ${rec.index}`);
    if (section === 'reviews') {
      const r = rec.value as ReviewRecord;
      reviews++;
      push(() => {
        const workId = ids.works!.get(r.work)!;
        ins.review.run(r.id, workId, ids.authors!.get(r.author)!, r.status, r.headline, r.summary, r.body, r.score?.value ?? null, r.score?.max ?? null, r.scoreText, r.rating, r.hasSpoilers ? 1 : 0, r.publishedAt, r.createdAt, r.updatedAt);
        if (level >= 3 && r.status === 'published') {
          const document = reviewSearchDocument({ ...r, workTitle: workTitles.get(workId) ?? '' });
          if (document !== null) ins.reviewDoc.run(r.id, document);
        }
      });
    } else if (section === 'works') {
      const w = rec.value as WorkRecord;
      push(() => {
        ins.work.run(w.id, w.slug, w.title, w.kind, w.year, w.synopsis, w.createdAt, w.updatedAt);
        ids.works!.set(w.slug, w.id);
        workTitles.set(w.id, w.title);
        const titles = [{ title: w.title, type: 'main' }, ...w.altTitles];
        titles.forEach((t, i) => ins.title.run(w.id, i, t.title, t.type, nameKey(t.title) || t.title.toLowerCase()));
        for (const [k, v] of Object.entries(w.externalIds)) ins.ext.run(w.id, k, v);
        w.credits.forEach((c, i) => ins.credit.run(w.id, ids.people!.get(c.person)!, c.role, i));
        w.studios.forEach((x, i) => ins.studio.run(w.id, ids.studios!.get(x)!, i));
        w.platforms.forEach((x, i) => ins.platform.run(w.id, ids.platforms!.get(x)!, i));
        w.tags.forEach((x, i) => ins.tag.run(w.id, ids.tags!.get(x)!, i));
        if (level >= 3)
          ins.workDoc.run(w.id, searchDocument([...titles.map((t) => t.title), ...w.credits.map((c) => names.people!.get(c.person)), ...w.studios.map((x) => names.studios!.get(x)), w.year?.toString()]));
      });
    } else {
      const n = rec.value as NamedRecord & Partial<AuthorRecord>;
      push(() => {
        if (section === 'authors') ins.authors.run(n.id, n.slug, n.name, nameKey(n.name), n.bio ?? null, n.createdAt);
        else ins[section].run(n.id, n.slug, n.name, nameKey(n.name), n.createdAt);
        ids[section]!.set(n.slug, n.id);
        names[section]?.set(n.slug, n.name);
      });
    }
  }
  if (batch.length) flush();
  if (level >= 4) {
    s.exec(`update works set (review_count, rating_count, rating_sum, rating_histogram) = (
      select count(*), count(r.rating), coalesce(sum(r.rating), 0),
        '[' || ${Array.from({ length: 10 }, (_, k) => `sum(case when r.rating ${k === 0 ? '<= 10' : `> ${k * 10} and r.rating <= ${k * 10 + 10}`} then 1 else 0 end)`).join(" || ',' || ")} || ']'
      from reviews r where r.work_id = works.id and r.status = 'published')
      where exists (select 1 from reviews r where r.work_id = works.id and r.status = 'published')`);
  }
  const seconds = (performance.now() - started) / 1000;
  await db.close();
  rmSync(tmp, { recursive: true, force: true });
  return { seconds, reviews };
}

const labels = {
  1: 'read + scan + validate',
  2: '+ prepared inserts (1,000 per transaction)',
  3: '+ search documents (fold + FTS5)',
  4: '+ work aggregates once at the end',
} as const;
for (const level of [1, 2, 3, 4] as const) {
  const { seconds, reviews } = await run(level);
  console.log(`${labels[level].padEnd(48)} ${seconds.toFixed(2).padStart(7)} s  ${Math.round(reviews / seconds).toLocaleString('en').padStart(8)} reviews/s`);
}
