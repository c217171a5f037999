/**
 * Restores an interchange document: into an empty database it recreates every record with
 * its id, slug and timestamps, so a second export is byte-identical; into a database that
 * already holds data it matches records (named things and works by slug, reviews by author,
 * work and creation time) and updates them, so running the same import twice changes nothing.
 *
 * Records are validated one by one and written in batches, each batch in one transaction.
 * If a batch fails, its records are retried one per transaction, so every record lands whole
 * or not at all and a bad record is reported without losing its neighbours.
 *
 * Version 1 and 2 documents are read too. Version 1 carries no episode counts, old review
 * addresses or list entries, and neither carries what was merged into a record (`mergedFrom`):
 * restoring one leaves those as the database has them.
 */
import type { Transaction } from 'kysely';
import { Compile, type Validator } from 'typebox/compile';
import type { Db } from '../db/connection.js';
import type { Database, NamedEntity } from '../db/schema.js';
import { AppError } from '../shared/errors.js';
import { nameKey } from '../shared/text.js';
import { indexReviews } from '../reviews/reviews.service.js';
import { searchIndexFor, searchDocument, type SearchIndex } from '../search/search.js';
import * as works from '../works/works.repository.js';
import { findNamedByKey } from '../works/names.repository.js';
import * as repo from './interchange.repository.js';
import {
  FORMAT_NAME,
  FORMAT_VERSION,
  READABLE_VERSIONS,
  SECTIONS,
  SECTIONS_BY_VERSION,
  type AuthorRecord,
  type FormatVersion,
  type ListEntryRecord,
  type MergeableRecord,
  type NamedRecord,
  type ReviewRecord,
  type ReviewRecordV1,
  type ReviewSource,
  type SectionName,
  type WorkRecord,
  type WorkRecordV1,
  type WorkRecordV2,
} from './interchange.schema.js';
import { readRecords } from './record-stream.js';

/**
 * Records per transaction. Each commit writes the full-text index's pending terms out as a new
 * segment that later merges must rewrite: 5,000 restores 100,000 reviews ~10 % faster than
 * 1,000 did (7,450 against 6,760 reviews/s) for ~10 MiB more memory; 10,000 gained little more
 * and took 340 MiB at its peak.
 */
const BATCH = 5000;

export interface SectionCounts {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

export interface ImportFailure {
  section: string;
  /** 1-based position in the section. */
  item: number;
  message: string;
}

export interface RestoreReport {
  counts: Record<SectionName, SectionCounts>;
  failures: ImportFailure[];
}

type Outcome = 'created' | 'updated' | 'unchanged';
type Pending<T> = { index: number; record: T };
/** A work or review as either version writes it; a field a version lacks is left as it is. */
type AnyWork = WorkRecord | WorkRecordV2 | WorkRecordV1;
type AnyReview = ReviewRecord | ReviewRecordV1;

const validators = Object.fromEntries(
  READABLE_VERSIONS.map((version) => [
    version,
    Object.fromEntries(Object.entries(SECTIONS_BY_VERSION[version]).map(([name, schema]) => [name, Compile(schema)])),
  ]),
) as Record<FormatVersion, Partial<Record<SectionName, Validator>>>;

function describeErrors(validator: Validator, value: unknown): string {
  const errors = validator.Errors(value).filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'boolean');
  const first = errors.find((e) => e.keyword !== 'type' && e.keyword !== 'const') ?? errors[0];
  if (!first) return 'invalid record';
  const where = first.instancePath || '(record)';
  if (first.keyword === 'additionalProperties') {
    const extra = (first.params as { additionalProperties?: string[] }).additionalProperties ?? [];
    return `${where}: unknown field ${extra.map((k) => JSON.stringify(k)).join(', ')}`;
  }
  if (first.keyword === 'const' || first.keyword === 'enum') {
    // A choice among fixed values (a status, a kind): name them rather than the first one tried.
    const here = errors.filter((e) => e.instancePath === first.instancePath);
    const allowed = here.flatMap((e) => {
      const params = e.params as { allowedValue?: unknown; allowedValues?: unknown[] };
      if (e.keyword === 'const') return [params.allowedValue];
      return e.keyword === 'enum' ? (params.allowedValues ?? []) : [];
    }).map((v) => JSON.stringify(v));
    if (here.some((e) => e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null')) allowed.push('null');
    return `${where}: must be one of ${allowed.join(', ')}`;
  }
  if (first.keyword === 'format' && (first.params as { format?: unknown }).format === 'date') {
    return `${where}: must be a date that exists, written YYYY-MM-DD`;
  }
  return `${where}: ${first.message}`;
}

/** Sources keyed by address (the last of a repeated one wins, as on write), in address order. */
function normalSources(sources: ReviewSource[]): ReviewSource[] {
  return [...new Map(sources.map((s) => [s.url, { url: s.url, path: s.path }])).values()].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}

class Restorer {
  private readonly search: SearchIndex;
  /** slug → id, for the references later sections make. */
  private readonly ids: Record<NamedEntity | 'works', Map<string, number>> = {
    authors: new Map(),
    people: new Map(),
    studios: new Map(),
    platforms: new Map(),
    tags: new Map(),
    works: new Map(),
  };
  readonly report: RestoreReport = {
    counts: Object.fromEntries(Object.keys(SECTIONS).map((s) => [s, { created: 0, updated: 0, unchanged: 0, failed: 0 }])) as Record<
      SectionName,
      SectionCounts
    >,
    failures: [],
  };

  /**
   * Works whose aggregates (count, sum, histogram) wait to be recomputed. A restore writes a
   * work's reviews across many batches; recomputing after each batch re-read every review of
   * those works again and again (a fifth of a restore's time, growing with the table), so the
   * restore recomputes each touched work once, at its end, even when it ends in an error.
   * Recomputing from the rows that exist is right whatever was committed or rolled back.
   */
  private readonly staleAggregates = new Set<number>();

  constructor(private readonly db: Db) {
    this.search = searchIndexFor(db);
  }

  async refreshAggregates(): Promise<void> {
    const ids = [...this.staleAggregates];
    this.staleAggregates.clear();
    for (let i = 0; i < ids.length; i += 5000) {
      await this.db.kysely.transaction().execute((trx) => works.refreshWorkAggregates(trx, ids.slice(i, i + 5000)));
    }
  }

  fail(section: SectionName | string, index: number, message: string) {
    if (section in this.report.counts) this.report.counts[section as SectionName].failed++;
    this.report.failures.push({ section, item: index + 1, message });
  }

  /** Writes a batch in one transaction; on failure, each record alone. */
  async flush(section: SectionName, batch: Pending<unknown>[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      const outcomes = await this.db.kysely.transaction().execute((trx) => this.write(trx, section, batch));
      for (const o of outcomes) this.report.counts[section][o]++;
    } catch (error) {
      if (batch.length === 1) {
        this.fail(section, batch[0]!.index, (error as Error).message);
        return;
      }
      for (const item of batch) await this.flush(section, [item]);
    }
  }

  private write(trx: Transaction<Database>, section: SectionName, batch: Pending<unknown>[]): Promise<Outcome[]> {
    switch (section) {
      case 'authors':
      case 'people':
      case 'studios':
      case 'platforms':
      case 'tags':
        return this.writeNamed(trx, section, batch as Pending<NamedRecord & Partial<AuthorRecord>>[]);
      case 'works':
        return this.writeWorks(trx, batch as Pending<AnyWork>[]);
      case 'reviews':
        return this.writeReviews(trx, batch as Pending<AnyReview>[]);
      case 'listEntries':
        return this.writeListEntries(trx, batch as Pending<ListEntryRecord>[]);
    }
  }

  private async writeNamed(trx: Transaction<Database>, table: NamedEntity, batch: Pending<NamedRecord & Partial<AuthorRecord>>[]) {
    const outcomes: Outcome[] = [];
    const taken = await repo.findTakenIds(trx, table, batch.map((b) => b.record.id));
    const bySlug = await repo.findIdsBySlug(trx, table, batch.map((b) => b.record.slug));
    for (const { record } of batch) {
      const key = nameKey(record.name) || record.name.toLowerCase();
      const existingId = bySlug.get(record.slug) ?? (await findNamedByKey(trx, table, key))?.id;
      if (existingId !== undefined) {
        const row = await trx.selectFrom(table).selectAll().where('id', '=', existingId).executeTakeFirstOrThrow();
        const bio = table === 'authors' ? (record.bio ?? null) : undefined;
        const same = row.name === record.name && (bio === undefined || (row as { bio?: string | null }).bio === bio);
        if (!same) await trx.updateTable(table).set({ name: record.name, nameKey: key, ...(bio !== undefined ? { bio } : {}) }).where('id', '=', existingId).execute();
        this.ids[table].set(record.slug, existingId);
        await this.restoreMergedNames(trx, table, existingId, record);
        outcomes.push(same ? 'unchanged' : 'updated');
        continue;
      }
      const values = { slug: record.slug, name: record.name, nameKey: key, createdAt: record.createdAt, ...(taken.has(record.id) ? {} : { id: record.id }) };
      const { id } =
        table === 'authors'
          ? await trx.insertInto('authors').values({ ...values, bio: record.bio ?? null }).returning('id').executeTakeFirstOrThrow()
          : await trx.insertInto(table).values(values).returning('id').executeTakeFirstOrThrow();
      taken.add(id);
      this.ids[table].set(record.slug, id);
      await this.restoreMergedNames(trx, table, id, record);
      outcomes.push('created');
    }
    return outcomes;
  }

  /** The old slugs and names of what was merged into a person, studio or platform (version 3). */
  private async restoreMergedNames(trx: Transaction<Database>, table: NamedEntity, id: number, record: NamedRecord | MergeableRecord) {
    if (!('mergedFrom' in record) || (table !== 'people' && table !== 'studios' && table !== 'platforms')) return;
    const merged = record.mergedFrom.map((m) => ({ ...m, nameKey: m.name === null ? null : nameKey(m.name) || m.name.toLowerCase() }));
    await repo.restoreMergedNames(trx, table, id, merged);
  }

  private async resolve(trx: Transaction<Database>, table: NamedEntity | 'works', slugs: string[]): Promise<void> {
    const missing = [...new Set(slugs)].filter((s) => !this.ids[table].has(s));
    if (missing.length === 0) return;
    for (const [slug, id] of await repo.findIdsBySlug(trx, table, missing)) this.ids[table].set(slug, id);
  }

  /** The id a reference resolves to; `field` is where the record makes it (`/work`, `/credits/2/person`). */
  private idOf(table: NamedEntity | 'works', slug: string, what: string, field: string): number {
    const id = this.ids[table].get(slug);
    if (id === undefined) throw new AppError('invalid_input', `${field}: ${what} "${slug}" is neither in the file nor in the database`);
    return id;
  }

  private async writeWorks(trx: Transaction<Database>, batch: Pending<AnyWork>[]): Promise<Outcome[]> {
    const records = batch.map((b) => b.record);
    await this.resolve(trx, 'people', records.flatMap((w) => w.credits.map((c) => c.person)));
    await this.resolve(trx, 'studios', records.flatMap((w) => w.studios));
    await this.resolve(trx, 'platforms', records.flatMap((w) => w.platforms));
    await this.resolve(trx, 'tags', records.flatMap((w) => w.tags));
    const existing = await repo.findIdsBySlug(trx, 'works', records.map((w) => w.slug));
    const taken = await repo.findTakenIds(trx, 'works', records.map((w) => w.id));
    const outcomes: Outcome[] = [];
    const documents: { id: number; document: string }[] = [];
    for (const w of records) {
      const credits = w.credits.map((c, position) => ({ personId: this.idOf('people', c.person, 'person', `/credits/${position}/person`), role: c.role, position }));
      const links = (table: 'studios' | 'platforms' | 'tags', slugs: string[]) =>
        slugs.map((slug, position) => ({ id: this.idOf(table, slug, table.slice(0, -1), `/${table}/${position}`), position }));
      const episodes = 'episodes' in w ? w.episodes : undefined;
      const studios = links('studios', w.studios);
      const platforms = links('platforms', w.platforms);
      const tags = links('tags', w.tags);
      let workId = existing.get(w.slug);
      if (workId !== undefined) {
        const [current] = await works.loadWorkDetails(trx, [workId]);
        if (current && sameWork(current, w)) {
          this.ids.works.set(w.slug, workId);
          if ('mergedFrom' in w) await repo.restoreMergedWorks(trx, workId, w.mergedFrom);
          outcomes.push('unchanged');
          continue;
        }
        await works.updateWork(trx, workId, {
          title: w.title,
          kind: w.kind,
          year: w.year,
          synopsis: w.synopsis,
          ...(episodes !== undefined && { episodes }),
          updatedAt: w.updatedAt,
        });
        await works.deleteWorkDetails(trx, workId);
        outcomes.push('updated');
      } else {
        workId = await works.insertWork(trx, {
          ...(taken.has(w.id) ? {} : { id: w.id }),
          slug: w.slug,
          title: w.title,
          kind: w.kind,
          year: w.year,
          synopsis: w.synopsis,
          createdAt: w.createdAt,
          updatedAt: w.updatedAt,
        });
        // `insertWork` takes no episode count; most works have none, so this is seldom a second statement.
        if (episodes != null) await works.updateWork(trx, workId, { episodes });
        outcomes.push('created');
      }
      this.ids.works.set(w.slug, workId);
      if ('mergedFrom' in w) await repo.restoreMergedWorks(trx, workId, w.mergedFrom);
      const titles = [{ title: w.title, type: 'main' }, ...w.altTitles].map((t, position) => ({
        title: t.title,
        type: t.type,
        titleKey: nameKey(t.title) || t.title.toLowerCase(),
        position,
      }));
      await works.insertTitles(trx, workId, titles);
      await works.insertExternalIds(trx, workId, Object.entries(w.externalIds).map(([source, externalId]) => ({ source, externalId })));
      await works.insertCredits(trx, workId, credits);
      await works.insertWorkLinks(trx, 'workStudios', workId, studios);
      await works.insertWorkLinks(trx, 'workPlatforms', workId, platforms);
      await works.insertWorkLinks(trx, 'workTags', workId, tags);
      const people = w.credits.map((c) => c.person);
      const names = await trx.selectFrom('people').select('name').where('slug', 'in', people.length ? people : ['']).execute();
      const studioNames = await trx.selectFrom('studios').select('name').where('slug', 'in', w.studios.length ? w.studios : ['']).execute();
      documents.push({
        id: workId,
        document: searchDocument([...titles.map((t) => t.title), ...names.map((n) => n.name), ...studioNames.map((s) => s.name), w.year?.toString()]),
      });
    }
    await this.search.put(trx, 'works', documents);
    for (const d of documents) this.staleAggregates.add(d.id);
    return outcomes;
  }

  private async writeReviews(trx: Transaction<Database>, batch: Pending<AnyReview>[]): Promise<Outcome[]> {
    const records = batch.map((b) => b.record);
    await this.resolve(trx, 'works', records.map((r) => r.work));
    await this.resolve(trx, 'authors', records.map((r) => r.author));
    const rows = records.map((r) => ({
      id: r.id,
      workId: this.idOf('works', r.work, 'work', '/work'),
      authorId: this.idOf('authors', r.author, 'author', '/author'),
      status: r.status,
      headline: r.headline,
      summary: r.summary,
      body: r.body,
      scoreValue: r.score?.value ?? null,
      scoreMax: r.score?.max ?? null,
      scoreText: r.scoreText,
      rating: r.rating,
      hasSpoilers: r.hasSpoilers ? 1 : 0,
      publishedAt: r.publishedAt,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
    // A review is the same review when author, work and creation time agree. Look it up by the
    // id the file gives first (one primary-key query for the batch: the whole story for a
    // restore); only where that id holds another review, by the natural key.
    const key = (r: { authorId: number; workId: number; createdAt: string }) => `${r.authorId}/${r.workId}/${r.createdAt}`;
    const byId = await repo.findReviewsByIds(trx, rows.map((r) => r.id));
    const clashing = rows.filter((r) => byId.has(r.id) && key(byId.get(r.id)!) !== key(r));
    const found = await repo.findReviewsByNaturalKey(trx, clashing);
    for (const r of byId.values()) found.set(key(r), r);
    const taken = new Set(byId.keys());
    // Old addresses: a version 2 record says what they are; a version 1 record says nothing.
    const sources = records.map((r) => ('sources' in r ? normalSources(r.sources) : undefined));
    const matchedIds = rows.flatMap((row, i) => (sources[i] !== undefined && found.has(key(row)) ? [found.get(key(row))!.id] : []));
    const currentSources = await repo.findReviewSources(trx, matchedIds);
    const sourceWrites: { reviewId: number; sources: ReviewSource[] }[] = [];
    const outcomes: Outcome[] = [];
    const inserts: typeof rows = [];
    const insertSources: (ReviewSource[] | undefined)[] = [];
    const written: { id: number; row: (typeof rows)[number]; isNew: boolean }[] = [];
    for (const [i, row] of rows.entries()) {
      const match = found.get(key(row));
      const { id, ...fields } = row;
      const wanted = sources[i];
      if (match) {
        const sameFields = (Object.keys(fields) as (keyof typeof fields)[]).every((k) => match[k] === fields[k]);
        const sameSources = wanted === undefined || JSON.stringify(currentSources.get(match.id) ?? []) === JSON.stringify(wanted);
        if (!sameFields) {
          await trx.updateTable('reviews').set(fields).where('id', '=', match.id).execute();
          written.push({ id: match.id, row, isNew: false });
        }
        if (!sameSources) sourceWrites.push({ reviewId: match.id, sources: wanted });
        outcomes.push(sameFields && sameSources ? 'unchanged' : 'updated');
      } else {
        inserts.push(taken.has(id) ? ({ ...fields } as typeof row) : row);
        insertSources.push(wanted);
        outcomes.push('created');
      }
    }
    for (let i = 0; i < inserts.length; i += 60) {
      const ids = await trx.insertInto('reviews').values(inserts.slice(i, i + 60)).returning('id').execute();
      ids.forEach(({ id }, k) => {
        written.push({ id, row: inserts[i + k]!, isNew: true });
        const wanted = insertSources[i + k];
        if (wanted?.length) sourceWrites.push({ reviewId: id, sources: wanted });
      });
    }
    await repo.replaceReviewSources(trx, sourceWrites);
    if (written.length) {
      const titles = new Map(
        (await trx.selectFrom('works').select(['id', 'title']).where('id', 'in', [...new Set(written.map((w) => w.row.workId))]).execute()).map((w) => [w.id, w.title]),
      );
      await indexReviews(
        trx,
        this.search,
        written.map((w) => ({ ...w.row, id: w.id, isNew: w.isNew, workTitle: titles.get(w.row.workId) ?? '' })),
      );
      for (const w of written) this.staleAggregates.add(w.row.workId);
    }
    return outcomes;
  }

  private async writeListEntries(trx: Transaction<Database>, batch: Pending<ListEntryRecord>[]): Promise<Outcome[]> {
    const records = batch.map((b) => b.record);
    await this.resolve(trx, 'works', records.map((e) => e.work));
    await this.resolve(trx, 'authors', records.map((e) => e.author));
    const rows = records.map((e) => ({
      id: e.id,
      workId: this.idOf('works', e.work, 'work', '/work'),
      authorId: this.idOf('authors', e.author, 'author', '/author'),
      status: e.status,
      progress: e.progress,
      startedOn: e.startedOn,
      finishedOn: e.finishedOn,
      timesWatched: e.timesWatched,
      tags: JSON.stringify(e.tags),
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    }));
    // One entry per author and work: that pair is what makes two entries the same entry.
    const found = await repo.findListEntriesByKey(trx, rows);
    const taken = await repo.findTakenIds(trx, 'listEntries', rows.map((r) => r.id));
    const outcomes: Outcome[] = [];
    const inserts: typeof rows = [];
    for (const row of rows) {
      const match = found.get(`${row.authorId}/${row.workId}`);
      const { id, ...fields } = row;
      if (match) {
        if ((Object.keys(fields) as (keyof typeof fields)[]).every((k) => match[k] === fields[k])) {
          outcomes.push('unchanged');
          continue;
        }
        await trx.updateTable('listEntries').set(fields).where('id', '=', match.id).execute();
        outcomes.push('updated');
      } else {
        inserts.push(taken.has(id) ? ({ ...fields } as typeof row) : row);
        outcomes.push('created');
      }
    }
    for (let i = 0; i < inserts.length; i += 60) await trx.insertInto('listEntries').values(inserts.slice(i, i + 60)).execute();
    return outcomes;
  }
}

function sameWork(current: works.WorkDetail, w: AnyWork): boolean {
  return (
    current.title === w.title &&
    current.kind === w.kind &&
    current.year === w.year &&
    (!('episodes' in w) || current.episodes === w.episodes) &&
    current.synopsis === w.synopsis &&
    current.updatedAt === w.updatedAt &&
    JSON.stringify(current.altTitles) === JSON.stringify(w.altTitles) &&
    JSON.stringify(current.externalIds) === JSON.stringify(w.externalIds) &&
    JSON.stringify(current.credits.map((c) => ({ role: c.role, person: c.slug }))) === JSON.stringify(w.credits) &&
    JSON.stringify(current.studios.map((s) => s.slug)) === JSON.stringify(w.studios) &&
    JSON.stringify(current.platforms.map((s) => s.slug)) === JSON.stringify(w.platforms) &&
    JSON.stringify(current.tags.map((s) => s.slug)) === JSON.stringify(w.tags)
  );
}

/**
 * Reads an interchange document from `chunks` and restores it. Errors in single records are
 * reported in the result; a document that is not an interchange document at all throws.
 */
export async function importJson(
  db: Db,
  chunks: AsyncIterable<string | Buffer>,
  options: { onProgress?: (done: number) => void } = {},
): Promise<RestoreReport> {
  const restorer = new Restorer(db);
  let format: unknown;
  let version: unknown;
  let section: SectionName | undefined;
  let batch: Pending<unknown>[] = [];
  let done = 0;
  const checkHeader = (): FormatVersion => {
    if (format !== FORMAT_NAME) throw new AppError('unsupported_format', `not a Kansou export: "format" must be "${FORMAT_NAME}" and come first`);
    if (!READABLE_VERSIONS.includes(version as FormatVersion)) {
      throw new AppError('unsupported_format', `unsupported export version ${JSON.stringify(version)} (this Kansou reads versions 1 to ${FORMAT_VERSION})`);
    }
    return version as FormatVersion;
  };
  try {
    for await (const record of readRecords(chunks)) {
      if (record.kind === 'field') {
        if (record.key === 'format') format = record.value;
        else if (record.key === 'version') version = record.value;
        else throw new AppError('invalid_input', `unknown top-level field "${record.key}"`);
        continue;
      }
      const documentVersion = checkHeader();
      const validator = validators[documentVersion][record.section as SectionName];
      if (!validator) {
        if (record.section in SECTIONS) throw new AppError('invalid_input', `section "${record.section}" is not part of a version ${documentVersion} document`);
        throw new AppError('invalid_input', `unknown section "${record.section}"`);
      }
      const name = record.section as SectionName;
      if (name !== section) {
        if (section) await restorer.flush(section, batch);
        batch = [];
        section = name;
      }
      if (!validator.Check(record.value)) {
        restorer.fail(name, record.index, describeErrors(validator, record.value));
        continue;
      }
      batch.push({ index: record.index, record: record.value });
      if (batch.length >= BATCH) {
        await restorer.flush(name, batch);
        done += batch.length;
        options.onProgress?.(done);
        batch = [];
      }
    }
    if (section) await restorer.flush(section, batch);
    else checkHeader();
  } catch (error) {
    if (error instanceof AppError) throw error;
    if ((error as Error).name === 'JsonStreamError' || error instanceof TypeError) throw new AppError('invalid_input', (error as Error).message);
    throw error;
  } finally {
    await restorer.refreshAggregates();
    await repo.syncIdentity(db.kysely, db.dialect, ['authors', 'people', 'studios', 'platforms', 'tags', 'works', 'reviews', 'list_entries']);
    await repo.analyzeRestored(db.kysely, db.dialect);
  }
  return restorer.report;
}
