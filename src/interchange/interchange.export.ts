/**
 * Writes the whole catalog as one interchange document, streaming page by page so memory
 * stays flat however large the database is. The output is deterministic (id order, fixed
 * key order, one record per line), so export → restore → export gives identical bytes.
 * Import runs and their reports (`imports`, `import_items`) are operational history, not
 * catalog data, and are not part of the document.
 */
import type { Writable } from 'node:stream';
import type { Db } from '../db/connection.js';
import type { NamedEntity } from '../db/schema.js';
import { listWorkIds, loadWorkDetails } from '../works/works.repository.js';
import { FORMAT_NAME, FORMAT_VERSION, type ListEntryRecord, type MergeableRecord, type ReviewRecord, type SectionName, type WorkRecord } from './interchange.schema.js';
import { findMergedNames, findMergedWorks, findReviewSources, pageListEntries, pageNamed, pageReviews } from './interchange.repository.js';

const PAGE = 500;

export type ExportCounts = Record<SectionName, number>;

export async function exportJson(db: Db, out: Writable): Promise<ExportCounts> {
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      out.write(text, (error) => (error ? reject(error) : resolve()));
    });
  const counts = {} as ExportCounts;

  async function section<T>(name: SectionName, pages: (afterId: number) => Promise<(T & { id: number })[]>, last = false) {
    await write(`  ${JSON.stringify(name)}: [`);
    let count = 0;
    let afterId = 0;
    for (;;) {
      const records = await pages(afterId);
      if (records.length === 0) break;
      // One write per page keeps the stream fast; the callback gives back-pressure.
      await write(records.map((r) => `${count++ === 0 ? '' : ','}\n    ${JSON.stringify(r)}`).join(''));
      afterId = records[records.length - 1]!.id;
    }
    await write(`${count ? '\n  ' : ''}]${last ? '' : ','}\n`);
    counts[name] = count;
  }

  await write(`{\n  "format": ${JSON.stringify(FORMAT_NAME)},\n  "version": ${FORMAT_VERSION},\n`);
  for (const table of ['authors', 'people', 'studios', 'platforms', 'tags'] as const satisfies NamedEntity[]) {
    if (table === 'people' || table === 'studios' || table === 'platforms') {
      await section(table, async (afterId): Promise<MergeableRecord[]> => {
        const rows = await pageNamed(db.kysely, table, afterId, PAGE);
        const merged = await findMergedNames(db.kysely, table, rows.map((r) => r.id));
        return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, createdAt: r.createdAt, mergedFrom: merged.get(r.id) ?? [] }));
      });
    } else {
      await section(table, (afterId) => pageNamed(db.kysely, table, afterId, PAGE));
    }
  }
  await section('works', async (afterId): Promise<WorkRecord[]> => {
    const ids = await listWorkIds(db.kysely, afterId, PAGE);
    const merged = await findMergedWorks(db.kysely, ids);
    return (await loadWorkDetails(db.kysely, ids)).map((w) => ({
      id: w.id,
      slug: w.slug,
      title: w.title,
      altTitles: w.altTitles as WorkRecord['altTitles'],
      kind: w.kind as WorkRecord['kind'],
      year: w.year,
      episodes: w.episodes,
      synopsis: w.synopsis,
      externalIds: w.externalIds,
      credits: w.credits.map((c) => ({ role: c.role as WorkRecord['credits'][number]['role'], person: c.slug })),
      studios: w.studios.map((s) => s.slug),
      platforms: w.platforms.map((p) => p.slug),
      tags: w.tags.map((t) => t.slug),
      createdAt: w.createdAt,
      updatedAt: w.updatedAt,
      mergedFrom: merged.get(w.id) ?? [],
    }));
  });
  await section('reviews', async (afterId): Promise<ReviewRecord[]> => {
    const rows = await pageReviews(db.kysely, afterId, PAGE);
    const sources = await findReviewSources(db.kysely, rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      work: r.work,
      author: r.author,
      status: r.status,
      headline: r.headline,
      summary: r.summary,
      body: r.body,
      score: r.scoreValue !== null && r.scoreMax !== null ? { value: r.scoreValue, max: r.scoreMax } : null,
      scoreText: r.scoreText,
      rating: r.rating,
      hasSpoilers: r.hasSpoilers === 1,
      publishedAt: r.publishedAt,
      sources: sources.get(r.id) ?? [],
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
  });
  await section(
    'listEntries',
    async (afterId): Promise<ListEntryRecord[]> =>
      (await pageListEntries(db.kysely, afterId, PAGE)).map((e) => ({
        id: e.id,
        work: e.work,
        author: e.author,
        status: e.status,
        progress: e.progress,
        startedOn: e.startedOn,
        finishedOn: e.finishedOn,
        timesWatched: e.timesWatched,
        tags: JSON.parse(e.tags) as string[],
        createdAt: e.createdAt,
        updatedAt: e.updatedAt,
      })),
    true,
  );
  await write('}\n');
  return counts;
}
