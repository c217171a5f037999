/**
 * Rules about works: how an incoming description finds its work (external id, then
 * title and year, then a new work), what an import may add to a work that exists, and
 * keeping the work's search document current.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ParsedWork } from '../import/import.types.js';
import { makeSlug, uniqueSlug } from '../shared/slug.js';
import { cleanName, foldWords } from '../shared/text.js';
import { searchDocument, type SearchIndex } from '../search/search.js';
import { findOrCreateNamed } from './names.repository.js';
import * as works from './works.repository.js';

export interface WorkMatch {
  workId: number;
  slug: string;
  action: 'created' | 'matched' | 'updated';
  /** How the work was found, for import reports. */
  reason: string;
}

const titleKey = (title: string) => foldWords(title) || cleanName(title).toLowerCase();

/**
 * Finds the work `parsed` describes, or creates it, and adds to an existing work what the
 * description knows and the work lacks (credits, studios, platforms, tags, titles, ids,
 * year, kind). It never removes anything: another review may have brought it.
 */
export async function upsertWork(trx: Transaction<Database>, search: SearchIndex, parsed: ParsedWork, now: string): Promise<WorkMatch> {
  const found = await findMatchingWork(trx, parsed);
  if (!found) return createWork(trx, search, parsed, now);
  const changed = await addMissingDetails(trx, found.workId, parsed, now);
  if (changed) await reindexWork(trx, search, found.workId);
  const row = await works.findWorkById(trx, found.workId);
  return { workId: found.workId, slug: row!.slug, action: changed ? 'updated' : 'matched', reason: found.reason };
}

async function findMatchingWork(trx: Transaction<Database>, parsed: ParsedWork): Promise<{ workId: number; reason: string } | undefined> {
  for (const [source, id] of Object.entries(parsed.externalIds)) {
    const workId = await works.findWorkIdByExternalId(trx, source, id);
    if (workId !== undefined) return { workId, reason: `same ${source} id ${id}` };
  }
  for (const title of [parsed.title, ...parsed.altTitles.map((t) => t.title)]) {
    const candidates = await works.findWorksByTitleKey(trx, titleKey(title));
    // A year on both sides must agree: remakes share titles ("Hunter x Hunter" 1999 and 2011).
    const sameYear = candidates.filter((c) => parsed.year === null || c.year === null || c.year === parsed.year);
    if (sameYear.length > 0) {
      const exact = sameYear.find((c) => c.year === parsed.year) ?? sameYear[0]!;
      return { workId: exact.id, reason: `same title "${title}"${exact.year !== null ? ` and year ${exact.year}` : ''}` };
    }
  }
  return undefined;
}

async function createWork(trx: Transaction<Database>, search: SearchIndex, parsed: ParsedWork, now: string): Promise<WorkMatch> {
  const title = cleanName(parsed.title);
  const slug = await uniqueSlug(makeSlug(title, 'work'), (s) => works.isWorkSlugTaken(trx, s));
  const workId = await works.insertWork(trx, {
    slug,
    title,
    kind: parsed.kind,
    year: parsed.year,
    synopsis: parsed.synopsis,
    createdAt: now,
    updatedAt: now,
  });
  await addMissingDetails(trx, workId, parsed, now, title);
  await reindexWork(trx, search, workId);
  return { workId, slug, action: 'created', reason: 'no work with this title and year' };
}

type KnownDetails = Pick<works.WorkDetail, 'title' | 'year' | 'kind' | 'synopsis' | 'altTitles' | 'externalIds' | 'credits' | 'studios' | 'platforms' | 'tags'>;

/**
 * Adds what `parsed` has and the work lacks. Returns whether anything changed.
 * `newTitle` is given for a work created just now, which has nothing to load yet.
 */
async function addMissingDetails(trx: Transaction<Database>, workId: number, parsed: ParsedWork, now: string, newTitle?: string): Promise<boolean> {
  const isNew = newTitle !== undefined;
  const current: KnownDetails | undefined = isNew
    ? { title: newTitle, year: parsed.year, kind: parsed.kind, synopsis: parsed.synopsis, altTitles: [], externalIds: {}, credits: [], studios: [], platforms: [], tags: [] }
    : (await works.loadWorkDetails(trx, [workId]))[0];
  if (!current) throw new Error(`work ${workId} vanished inside its transaction`);
  let changed = false;

  const patch: Parameters<typeof works.updateWork>[2] = {};
  if (!isNew) {
    if (current.year === null && parsed.year !== null) patch.year = parsed.year;
    if (current.kind === null && parsed.kind !== null) patch.kind = parsed.kind;
    if (current.synopsis === null && parsed.synopsis) patch.synopsis = parsed.synopsis;
  }

  // Titles: the main title sits at position 0 so matching sees every name of the work.
  const knownTitles = new Set([titleKey(current.title), ...current.altTitles.map((t) => titleKey(t.title))]);
  const newTitles: { title: string; type: string; titleKey: string; position: number }[] = [];
  if (isNew) newTitles.push({ title: current.title, type: 'main', titleKey: titleKey(current.title), position: 0 });
  let position = current.altTitles.length + 1;
  for (const alt of parsed.altTitles) {
    const key = titleKey(alt.title);
    if (knownTitles.has(key)) continue;
    knownTitles.add(key);
    newTitles.push({ title: cleanName(alt.title), type: alt.type, titleKey: key, position: position++ });
  }
  await works.insertTitles(trx, workId, newTitles);

  const newIds = Object.entries(parsed.externalIds)
    .filter(([source]) => !(source in current.externalIds))
    .map(([source, externalId]) => ({ source, externalId }));
  for (const e of newIds) {
    // An id another work already holds stays with that work; the match above would have found it.
    if ((await works.findWorkIdByExternalId(trx, e.source, e.externalId)) !== undefined) continue;
    await works.insertExternalIds(trx, workId, [e]);
    changed = true;
  }

  const credits: { personId: number; role: string; position: number }[] = [];
  const knownCredits = new Set(current.credits.map((c) => `${c.role}\u0000${c.slug}`));
  for (const credit of parsed.credits) {
    const person = await findOrCreateNamed(trx, 'people', credit.name, now);
    const key = `${credit.role}\u0000${person.slug}`;
    if (knownCredits.has(key)) continue;
    knownCredits.add(key);
    credits.push({ personId: person.id, role: credit.role, position: current.credits.length + credits.length });
  }
  await works.insertCredits(trx, workId, credits);

  let linksAdded = 0;
  for (const [table, entity, names, existing] of [
    ['workStudios', 'studios', parsed.studios, current.studios],
    ['workPlatforms', 'platforms', parsed.platforms, current.platforms],
    ['workTags', 'tags', parsed.tags, current.tags],
  ] as const) {
    const known = new Set(existing.map((e) => e.slug));
    const links: { id: number; position: number }[] = [];
    for (const name of names) {
      const named = await findOrCreateNamed(trx, entity, name, now);
      if (known.has(named.slug)) continue;
      known.add(named.slug);
      links.push({ id: named.id, position: existing.length + links.length });
    }
    await works.insertWorkLinks(trx, table, workId, links);
    linksAdded += links.length;
  }

  changed ||= Object.keys(patch).length > 0 || newTitles.length > (isNew ? 1 : 0) || credits.length > 0 || linksAdded > 0;
  if (changed && !isNew) await works.updateWork(trx, workId, { ...patch, updatedAt: now });
  return changed;
}

export async function reindexWork(trx: Transaction<Database>, search: SearchIndex, workId: number): Promise<void> {
  const row = await works.findWorkById(trx, workId);
  if (!row) return;
  const parts = await works.loadWorkSearchParts(trx, workId);
  await search.put(trx, 'works', [{ id: workId, document: searchDocument([...parts, row.year?.toString()]) }]);
}
