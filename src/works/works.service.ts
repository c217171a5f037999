/**
 * Rules about works: how an incoming description finds its work (external id, then
 * title and year, then a new work), what an import may add to a work that exists, and
 * keeping the work's search document current.
 *
 * Imports write through compiled statements (db/compiled.ts): a file costs a dozen short
 * statements, and building each through Kysely had cost more than running it.
 */
import type { Transaction } from 'kysely';
import type { WriteContext } from '../db/compiled.js';
import type { Database, NamedEntity } from '../db/schema.js';
import type { ParsedWork } from '../import/import.types.js';
import { makeSlug, uniqueSlug } from '../shared/slug.js';
import { cleanName, nameKey } from '../shared/text.js';
import { prepareWork, titleKey } from '../import/prepare.js';
import { searchDocument, type SearchIndex } from '../search/search.js';
import type { Named } from './names.repository.js';
import * as works from './works.repository.js';

export interface WorkMatch {
  workId: number;
  slug: string;
  /** The work's title as stored (a matched work keeps its own). */
  title: string;
  action: 'created' | 'matched' | 'updated';
  /** How the work was found, for import reports. */
  reason: string;
  /** Found on weak evidence (see findMatchingWork): import reports flag it. */
  uncertain: boolean;
}

/** A described work, with the episode count list sites give. */
type DescribedWork = ParsedWork & { episodes?: number | null };

/** What can be worked out about a described work before the database is asked (import/prepare.ts). */
export interface PreparedWork {
  /** `makeSlug` of the cleaned title: the new work's slug, unless taken. */
  slug: string;
  /** `titleKey` of the title and of each alternative title, in order. */
  titleKeys: string[];
}

/**
 * Finds the work `parsed` describes, or creates it, and adds to an existing work what the
 * description knows and the work lacks (credits, studios, platforms, tags, titles, ids,
 * year, kind). It never removes anything: another review may have brought it. The work's
 * search document is queued in `w.searchWrites`.
 */
export async function upsertWork(w: WriteContext, parsed: DescribedWork, now: string, prepared: PreparedWork = prepareWork(parsed)): Promise<WorkMatch> {
  const found = await findMatchingWork(w, parsed, prepared.titleKeys);
  if (!found) return createWork(w, parsed, now, prepared);
  const { work, reason, uncertain } = found;
  const changed = (await addMissingDetails(w, work.id, parsed, now)).changed;
  if (changed) w.searchWrites.push({ entity: 'works', id: work.id, document: await workSearchDocument(w.trx, work.id), isNew: false });
  return { workId: work.id, slug: work.slug, title: work.title, action: changed ? 'updated' : 'matched', reason, uncertain };
}

const NEW_WORK_REASON = 'no work with this title and year';

interface FoundWork {
  work: works.WorkKey;
  reason: string;
  /** Matched on weak evidence: no year on one side, or several works equally likely. */
  uncertain: boolean;
}

/**
 * The work `parsed` describes: by external id first, then by title (any of its titles against
 * any of a work's) and year. A title match is refused when the work holds a different id from
 * the same source (two works of one title: a remake), and called uncertain when there is no
 * year on one side to compare or several works fit equally.
 */
async function findMatchingWork(w: WriteContext, parsed: ParsedWork, titleKeys: string[]): Promise<FoundWork | undefined> {
  const ids = Object.entries(parsed.externalIds);
  for (const [source, id] of ids) {
    const work = await works.findWorkKeyByExternalId(w, source, id);
    if (work) return { work, reason: `same ${source} id ${id}`, uncertain: false };
  }
  for (const [i, title] of [parsed.title, ...parsed.altTitles.map((t) => t.title)].entries()) {
    const candidates = await works.findWorkKeysByTitleKey(w, titleKeys[i]!);
    // A year on both sides must agree: remakes share titles ("Hunter x Hunter" 1999 and 2011).
    let sameYear = candidates.filter((c) => parsed.year === null || c.year === null || c.year === parsed.year);
    if (ids.length > 0 && sameYear.length > 0) {
      const kept: works.WorkKey[] = [];
      for (const c of sameYear) {
        const held = await works.findExternalIdsOfWorkIn(w, c.id);
        if (!held.some((h) => parsed.externalIds[h.source] !== undefined && parsed.externalIds[h.source] !== h.externalId)) kept.push(c);
      }
      sameYear = kept;
    }
    if (sameYear.length === 0) continue;
    const exact = sameYear.filter((c) => parsed.year !== null && c.year === parsed.year);
    const work = exact[0] ?? sameYear[0]!;
    const reason = `same title "${title}"${work.year !== null ? ` and year ${work.year}` : ''}`;
    if (exact.length === 1) return { work, reason, uncertain: false };
    if (exact.length > 1 || sameYear.length > 1) {
      return { work, reason: `${reason}; ${exact.length || sameYear.length} works fit, the oldest was taken`, uncertain: true };
    }
    return { work, reason: `${reason}; ${parsed.year === null ? 'the entry has no year' : 'the work has no year'} to compare`, uncertain: true };
  }
  return undefined;
}

async function createWork(w: WriteContext, parsed: DescribedWork, now: string, prepared: PreparedWork): Promise<WorkMatch> {
  const title = cleanName(parsed.title);
  const slug = await uniqueSlug(prepared.slug, (s) => works.isWorkSlugTakenIn(w, s));
  const workId = await works.insertWorkIn(w, {
    slug,
    title,
    kind: parsed.kind,
    year: parsed.year,
    synopsis: parsed.synopsis,
    episodes: parsed.episodes ?? null,
    createdAt: now,
    updatedAt: now,
  });
  const { added } = await addMissingDetails(w, workId, parsed, now, { title, titleKeys: prepared.titleKeys });
  // What reindexWork would read back, known already: every title, credited person and studio.
  const document = searchDocument([...added.titles, ...added.people, ...added.studios, parsed.year?.toString()]);
  w.searchWrites.push({ entity: 'works', id: workId, document, isNew: true });
  return { workId, slug, title, action: 'created', reason: NEW_WORK_REASON, uncertain: false };
}

type KnownDetails = Pick<works.WorkDetail, 'title' | 'year' | 'kind' | 'synopsis' | 'episodes' | 'altTitles' | 'externalIds' | 'credits' | 'studios' | 'platforms' | 'tags'>;

/**
 * Adds what `parsed` has and the work lacks. Returns whether anything changed, and the names
 * added (titles, credited people, studios) for the search document of a new work.
 * `created` is given for a work created just now, which has nothing to load yet: its title and
 * the title keys of `parsed`.
 */
async function addMissingDetails(
  w: WriteContext,
  workId: number,
  parsed: DescribedWork,
  now: string,
  created?: { title: string; titleKeys: string[] },
): Promise<{ changed: boolean; added: { titles: string[]; people: string[]; studios: string[] } }> {
  const isNew = created !== undefined;
  const current: KnownDetails | undefined = isNew
    ? { title: created.title, year: parsed.year, kind: parsed.kind, synopsis: parsed.synopsis, episodes: parsed.episodes ?? null, altTitles: [], externalIds: {}, credits: [], studios: [], platforms: [], tags: [] }
    : (await works.loadWorkDetails(w.trx, [workId]))[0];
  if (!current) throw new Error(`work ${workId} vanished inside its transaction`);
  let changed = false;

  const patch: Parameters<typeof works.updateWork>[2] = {};
  if (!isNew) {
    if (current.year === null && parsed.year !== null) patch.year = parsed.year;
    if (current.kind === null && parsed.kind !== null) patch.kind = parsed.kind;
    if (current.synopsis === null && parsed.synopsis) patch.synopsis = parsed.synopsis;
    if (current.episodes === null && parsed.episodes) patch.episodes = parsed.episodes;
  }

  const newTitles = titlesToAdd(current, parsed, created);
  await works.insertTitlesIn(w, workId, newTitles);

  const newIds: { source: string; externalId: string }[] = [];
  for (const [source, externalId] of Object.entries(parsed.externalIds)) {
    if (source in current.externalIds) continue;
    // An id another work already holds stays with that work; the match above would have found
    // it. (A new work was made because none of its ids was found.)
    if (!isNew && (await works.findWorkKeyByExternalId(w, source, externalId)) !== undefined) continue;
    newIds.push({ source, externalId });
  }
  await works.insertExternalIdsIn(w, workId, newIds);
  changed ||= newIds.length > 0;

  const names = await addMissingNames(w, workId, parsed, now, current);
  const linksAdded = LINK_TABLES.reduce((n, table) => n + names.links[table].length, 0);

  changed ||= Object.keys(patch).length > 0 || newTitles.length > (isNew ? 1 : 0) || names.credits.length > 0 || linksAdded > 0;
  if (changed && !isNew) await works.updateWork(w.trx, workId, { ...patch, updatedAt: now });
  return { changed, added: { titles: newTitles.map((t) => t.title), people: names.people, studios: names.studios } };
}

const LINK_TABLES = ['workStudios', 'workPlatforms', 'workTags'] as const;
type LinkTable = (typeof LINK_TABLES)[number];
const NO_NAMES = { credits: [], studios: [], platforms: [], tags: [] };

/**
 * Writes the credits, studios, platforms and tags of `parsed` that the work lacks (`current`:
 * what it has; by default nothing, for a work whose own were just cleared). See `namesToAdd`.
 */
export async function addMissingNames(
  w: WriteContext,
  workId: number,
  parsed: DescribedWork,
  now: string,
  current: Pick<KnownDetails, 'credits' | 'studios' | 'platforms' | 'tags'> = NO_NAMES,
): Promise<Awaited<ReturnType<typeof namesToAdd>>> {
  const names = await namesToAdd(w, parsed, current, now);
  await works.insertCreditsIn(w, workId, names.credits);
  for (const table of LINK_TABLES) await works.insertWorkLinksIn(w, table, workId, names.links[table]);
  return names;
}

/**
 * The credits, studios, platforms and tags of `parsed` the work lacks (`current`), their
 * people, studios, platforms and tags found or created, positioned after the work's own; and
 * the names of the people and studios added, for the work's search document.
 */
async function namesToAdd(
  w: WriteContext,
  parsed: DescribedWork,
  current: Pick<KnownDetails, 'credits' | 'studios' | 'platforms' | 'tags'>,
  now: string,
): Promise<{ credits: { personId: number; role: string; position: number }[]; people: string[]; links: Record<LinkTable, { id: number; position: number }[]>; studios: string[] }> {
  const credits: { personId: number; role: string; position: number }[] = [];
  const people: string[] = [];
  const knownCredits = new Set(current.credits.map((c) => `${c.role}\u0000${c.slug}`));
  for (const credit of parsed.credits) {
    const person = await findOrCreateName(w, 'people', credit.name, now);
    const key = `${credit.role}\u0000${person.slug}`;
    if (knownCredits.has(key)) continue;
    knownCredits.add(key);
    credits.push({ personId: person.id, role: credit.role, position: current.credits.length + credits.length });
    people.push(person.name);
  }
  const links = { workStudios: [], workPlatforms: [], workTags: [] } as Record<LinkTable, { id: number; position: number }[]>;
  const studios: string[] = [];
  for (const [table, entity, names, existing] of [
    ['workStudios', 'studios', parsed.studios, current.studios],
    ['workPlatforms', 'platforms', parsed.platforms, current.platforms],
    ['workTags', 'tags', parsed.tags, current.tags],
  ] as const) {
    const known = new Set(existing.map((e) => e.slug));
    for (const name of names) {
      const named = await findOrCreateName(w, entity, name, now);
      if (known.has(named.slug)) continue;
      known.add(named.slug);
      links[table].push({ id: named.id, position: existing.length + links[table].length });
      if (entity === 'studios') studios.push(named.name);
    }
  }
  return { credits, people, links, studios };
}

type NewTitle = { title: string; type: string; titleKey: string; position: number };

/**
 * The titles of `parsed` the work lacks, by folded key; for a work `created` just now, its main
 * title too. The main title sits at position 0 so matching sees every name of the work.
 */
function titlesToAdd(current: Pick<KnownDetails, 'title' | 'altTitles'>, parsed: DescribedWork, created?: { title: string; titleKeys: string[] }): NewTitle[] {
  const mainKey = created?.titleKeys[0] ?? titleKey(current.title);
  const knownTitles = new Set([mainKey, ...current.altTitles.map((t) => titleKey(t.title))]);
  const newTitles: NewTitle[] = [];
  if (created) newTitles.push({ title: current.title, type: 'main', titleKey: mainKey, position: 0 });
  let position = current.altTitles.length + 1;
  for (const [i, alt] of parsed.altTitles.entries()) {
    const key = created?.titleKeys[i + 1] ?? titleKey(alt.title);
    if (knownTitles.has(key)) continue;
    knownTitles.add(key);
    newTitles.push({ title: cleanName(alt.title), type: alt.type, titleKey: key, position: position++ });
  }
  return newTitles;
}

/** A described work with what was worked out about it beforehand. */
export interface DescribedAndPrepared {
  parsed: DescribedWork;
  prepared: PreparedWork;
}

/**
 * Which works of a batch certainly are not there yet, so that `upsertWork` would create each
 * without finding anything: none of its external ids, title keys or slug is held by a work, and
 * none is shared with another work of the batch (which `upsertWork` might create or extend
 * first). One query per kind of key for the whole batch.
 */
export async function findCertainlyNewWorks(w: WriteContext, batch: DescribedAndPrepared[]): Promise<boolean[]> {
  const keys = batch.map(({ parsed, prepared }) => ({
    ids: Object.entries(parsed.externalIds).map(([source, id]) => `${source}\u0000${id}`),
    titles: prepared.titleKeys,
    slug: prepared.slug,
  }));
  const uses = new Map<string, number>();
  for (const k of keys) {
    for (const key of new Set([...k.ids.map((x) => `id ${x}`), ...k.titles.map((x) => `title ${x}`), `slug ${k.slug}`])) uses.set(key, (uses.get(key) ?? 0) + 1);
  }
  const alone = (k: (typeof keys)[number]) =>
    k.ids.every((x) => uses.get(`id ${x}`) === 1) && k.titles.every((x) => uses.get(`title ${x}`) === 1) && uses.get(`slug ${k.slug}`) === 1;
  const eligible = batch.map((_, i) => alone(keys[i]!));
  const asked = keys.filter((_, i) => eligible[i]);
  const taken = await works.findTakenWorkKeysIn(w, {
    externalIds: asked.flatMap((k) => k.ids),
    titleKeys: asked.flatMap((k) => k.titles),
    slugs: asked.map((k) => k.slug),
  });
  return keys.map(
    (k, i) => eligible[i]! && !k.ids.some((x) => taken.externalIds.has(x)) && !k.titles.some((x) => taken.titleKeys.has(x)) && !taken.slugs.has(k.slug),
  );
}

/**
 * Creates the works `findCertainlyNewWorks` picked, as `upsertWork` would one by one (the same
 * rows, titles, ids, credits, studios, platforms, tags and search documents), with one
 * multi-row statement per table. Their people, studios, platforms and tags are found or created
 * one by one, in the batch's order, as `upsertWork` finds them.
 */
export async function createNewWorksIn(w: WriteContext, batch: DescribedAndPrepared[], now: string): Promise<WorkMatch[]> {
  const rows = batch.map(({ parsed, prepared }) => ({
    slug: prepared.slug,
    title: cleanName(parsed.title),
    kind: parsed.kind,
    year: parsed.year,
    synopsis: parsed.synopsis,
    episodes: parsed.episodes ?? null,
    createdAt: now,
    updatedAt: now,
  }));
  const ids = await works.insertWorksIn(w, rows);
  const titles: (NewTitle & { workId: number })[] = [];
  const externalIds: { workId: number; source: string; externalId: string }[] = [];
  const credits: { workId: number; personId: number; role: string; position: number }[] = [];
  const links = { workStudios: [], workPlatforms: [], workTags: [] } as Record<LinkTable, { workId: number; id: number; position: number }[]>;
  const matches: WorkMatch[] = [];
  for (const [i, { parsed, prepared }] of batch.entries()) {
    const { slug, title } = rows[i]!;
    const workId = ids.get(slug);
    if (workId === undefined) throw new Error(`the new work "${slug}" came back without an id`);
    const added = titlesToAdd({ title, altTitles: [] }, parsed, { title, titleKeys: prepared.titleKeys });
    titles.push(...added.map((t) => ({ ...t, workId })));
    for (const [source, externalId] of Object.entries(parsed.externalIds)) externalIds.push({ workId, source, externalId });
    const names = await namesToAdd(w, parsed, NO_NAMES, now);
    credits.push(...names.credits.map((c) => ({ ...c, workId })));
    for (const table of LINK_TABLES) links[table].push(...names.links[table].map((l) => ({ ...l, workId })));
    // As createWork: every title, credited person and studio.
    const document = searchDocument([...added.map((t) => t.title), ...names.people, ...names.studios, parsed.year?.toString()]);
    w.searchWrites.push({ entity: 'works', id: workId, document, isNew: true });
    matches.push({ workId, slug, title, action: 'created', reason: NEW_WORK_REASON, uncertain: false });
  }
  await works.insertTitlesOfWorksIn(w, titles);
  await works.insertExternalIdsOfWorksIn(w, externalIds);
  await works.insertCreditsOfWorksIn(w, credits);
  for (const table of LINK_TABLES) await works.insertWorkLinksOfWorksIn(w, table, links[table]);
  return matches;
}

/**
 * The record for `rawName` in `table` (people, studios, platforms, tags, authors), created when
 * no record has the same folded key; as `findOrCreateNamed`, remembered for the rest of the
 * import (a batch meets the same studios and platforms over and over).
 */
export async function findOrCreateName(w: WriteContext, table: NamedEntity, rawName: string, now: string): Promise<Named> {
  // Remembered under the name as written too: the same spelling needs no folding next time.
  const asWritten = `${table}\u0001${rawName}`;
  const seen = w.memo.get<Named>(asWritten);
  if (seen) return seen;
  const name = cleanName(rawName);
  const key = nameKey(name) || name.toLowerCase();
  const memoKey = `${table}\u0000${key}`;
  const known = w.memo.get<Named>(memoKey);
  if (known) {
    w.memo.set(asWritten, known);
    return known;
  }
  let named = await works.findNamedByKeyIn(w, table, key);
  if (!named) {
    const slug = await uniqueSlug(makeSlug(name, table === 'people' ? 'person' : table.slice(0, -1)), (s) => works.isNamedSlugTakenIn(w, table, s));
    named = { id: await works.insertNamedIn(w, table, { slug, name, nameKey: key, createdAt: now }), slug, name };
  }
  w.memo.set(memoKey, named);
  w.memo.set(asWritten, named);
  return named;
}

/** What search indexes of a work: its titles, credited people, studios and year, as stored. */
async function workSearchDocument(trx: Transaction<Database>, workId: number): Promise<string | null> {
  const row = await works.findWorkById(trx, workId);
  if (!row) return null;
  const parts = await works.loadWorkSearchParts(trx, workId);
  return searchDocument([...parts, row.year?.toString()]);
}

export async function reindexWork(trx: Transaction<Database>, search: SearchIndex, workId: number): Promise<void> {
  const document = await workSearchDocument(trx, workId);
  if (document !== null) await search.put(trx, 'works', [{ id: workId, document }]);
}
