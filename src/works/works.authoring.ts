/**
 * Changing the catalogue by hand (the API, and later the site's forms): adding, editing and
 * deleting works, and adding, renaming and deleting people, studios and platforms. Who may:
 * `catalog.create` to add, `catalog.edit` to change, `catalog.delete` to delete
 * (accounts/permissions.ts). Edits and deletions are recorded in the audit log.
 *
 * Adding a work refuses a likely duplicate (a work with one of its titles and the same year, or
 * neither year known) with 409 naming it, unless `force` is set; an external id another work
 * holds is refused always. A work with reviews (drafts included) cannot be deleted, nor a name
 * that a work still uses.
 */
import type { Db } from '../db/connection.js';
import type { NamedEntity } from '../db/schema.js';
import { CREDIT_ROLES, WORK_KINDS, type CreditRole, type ParsedAltTitle, type ParsedWork, type WorkKind } from '../import/import.types.js';
import { prepareWork, titleKey } from '../import/prepare.js';
import { searchIndexFor } from '../search/search.js';
import { AppError, forbidden, invalidInput, notFound } from '../shared/errors.js';
import { uniqueSlug } from '../shared/slug.js';
import { cleanName, nameKey } from '../shared/text.js';
import { can, type Action } from '../accounts/permissions.js';
import { recordAudit } from '../accounts/accounts.service.js';
import type { UserRow } from '../accounts/accounts.repository.js';
import { inWriteTransaction } from '../reviews/authoring.service.js';
import { listPublishedReviews, countReviewsOfWork } from '../reviews/reviews.repository.js';
import { indexReviews } from '../reviews/reviews.service.js';
import { addMissingNames, createNewWorksIn, reindexWork } from './works.service.js';
import { deleteNamed, findNamedByKey, findNamedBySlug, findOrCreateNamed, renameNamed, worksNaming, type Named } from './names.repository.js';
import * as works from './works.repository.js';

export type CatalogName = Extract<NamedEntity, 'people' | 'studios' | 'platforms'>;

export interface WorkInput {
  title: string;
  kind?: string | null;
  year?: number | null;
  synopsis?: string | null;
  altTitles?: { title: string; type?: string }[];
  credits?: { role: string; name: string }[];
  studios?: string[];
  platforms?: string[];
  tags?: string[];
  externalIds?: Record<string, string>;
  /** Add the work even when one of the same title and year exists (a remake, a namesake). */
  force?: boolean;
}

export type WorkPatch = Partial<Omit<WorkInput, 'force'>>;

const ALT_TITLE_TYPES = ['original', 'romaji', 'english', 'other'] as const;

const isoNow = () => new Date().toISOString();

function allow(user: UserRow, action: Action): void {
  if (!can(user, action)) throw forbidden(`Your role may not ${action === 'catalog.create' ? 'add to' : action === 'catalog.edit' ? 'change' : 'delete from'} the catalogue.`);
}

function name(field: string, raw: string): string {
  const cleaned = cleanName(raw);
  if (!cleaned || !nameKey(cleaned)) throw invalidInput(`${field}: must contain at least one letter or digit`);
  if ([...cleaned].length > 300) throw invalidInput(`${field}: at most 300 characters`);
  return cleaned;
}

const names = (field: string, list: string[] | undefined) => (list ?? []).map((n, i) => name(`${field}.${i}`, n));

/** The fields of `input` as a described work, checked; absent fields of a patch taken from `base`. */
function describe(input: WorkPatch, base: ParsedWork): ParsedWork {
  const title = input.title !== undefined ? name('title', input.title) : base.title;
  let kind = base.kind;
  if (input.kind !== undefined) {
    if (input.kind !== null && !(WORK_KINDS as readonly string[]).includes(input.kind)) throw invalidInput(`kind: must be one of ${WORK_KINDS.join(', ')}`);
    kind = input.kind as WorkKind | null;
  }
  let year = base.year;
  if (input.year !== undefined) {
    if (input.year !== null && (!Number.isInteger(input.year) || input.year < 1870 || input.year > 2100)) throw invalidInput('year: a year between 1870 and 2100');
    year = input.year;
  }
  const synopsis = input.synopsis !== undefined ? (input.synopsis?.trim() ? input.synopsis.trim() : null) : base.synopsis;
  const altTitles: ParsedAltTitle[] =
    input.altTitles?.map((t, i) => {
      const type = t.type ?? 'other';
      if (!(ALT_TITLE_TYPES as readonly string[]).includes(type)) throw invalidInput(`altTitles.${i}.type: must be one of ${ALT_TITLE_TYPES.join(', ')}`);
      return { title: name(`altTitles.${i}.title`, t.title), type: type as ParsedAltTitle['type'] };
    }) ?? base.altTitles;
  const credits =
    input.credits?.map((c, i) => {
      if (!(CREDIT_ROLES as readonly string[]).includes(c.role)) throw invalidInput(`credits.${i}.role: must be one of ${CREDIT_ROLES.join(', ')}`);
      return { role: c.role as CreditRole, name: name(`credits.${i}.name`, c.name) };
    }) ?? base.credits;
  const externalIds = input.externalIds ?? base.externalIds;
  for (const [source, id] of Object.entries(externalIds)) {
    if (!/^[a-z][a-z0-9_]{0,29}$/.test(source)) throw invalidInput(`externalIds.${source.slice(0, 30)}: a source is lower-case letters, digits and _`);
    if (!id.trim() || id.length > 200) throw invalidInput(`externalIds.${source}: an id of 1 to 200 characters`);
  }
  return {
    title,
    kind,
    year,
    synopsis,
    altTitles,
    credits,
    studios: input.studios !== undefined ? names('studios', input.studios) : base.studios,
    platforms: input.platforms !== undefined ? names('platforms', input.platforms) : base.platforms,
    tags: input.tags !== undefined ? names('tags', input.tags) : base.tags,
    externalIds,
  };
}

const EMPTY: ParsedWork = { title: '', kind: null, year: null, synopsis: null, altTitles: [], credits: [], studios: [], platforms: [], tags: [], externalIds: {} };

type Trx = Parameters<Parameters<typeof inWriteTransaction>[1]>[0];

/** An external id of `parsed` that another work holds: always a conflict. */
async function refuseHeldIds(w: Trx, parsed: ParsedWork, workId?: number): Promise<void> {
  for (const [source, id] of Object.entries(parsed.externalIds)) {
    const holder = await works.findWorkKeyByExternalId(w, source, id);
    if (holder && holder.id !== workId) throw new AppError('conflict', `externalIds.${source}: ${source} id ${id} belongs to the work "${holder.title}" (${holder.slug})`);
  }
}

/** Adds a work; returns its slug. */
export async function createWork(db: Db, user: UserRow, input: WorkInput, now = isoNow()): Promise<string> {
  allow(user, 'catalog.create');
  const parsed = describe(input, EMPTY);
  const prepared = prepareWork(parsed);
  const slug = await inWriteTransaction(db, async (w) => {
    await refuseHeldIds(w, parsed);
    if (!input.force) {
      for (const key of new Set(prepared.titleKeys)) {
        const same = (await works.findWorkKeysByTitleKey(w, key)).find((c) => parsed.year === null || c.year === null || c.year === parsed.year);
        if (same) {
          throw new AppError(
            'conflict',
            `title: the work "${same.title}"${same.year !== null ? ` (${same.year})` : ''} is already here as ${same.slug}; send "force": true to add another work of that name`,
          );
        }
      }
    }
    const unique = await uniqueSlug(prepared.slug, (s) => works.isWorkSlugTakenIn(w, s));
    // The work with its titles, ids, credits, studios, platforms, tags and search document.
    const [created] = await createNewWorksIn(w, [{ parsed, prepared: { ...prepared, slug: unique } }], now);
    return created!.slug;
  });
  return slug;
}

async function findWork(w: Trx, slug: string) {
  const row = await works.findWorkBySlug(w.trx, slug);
  if (!row) throw notFound(`The work "${slug.slice(0, 200)}"`);
  return row;
}

/** Changes a work: the fields given replace what it had (lists whole). Its slug stays. */
export async function updateWork(db: Db, user: UserRow, slug: string, patch: WorkPatch, now = isoNow()): Promise<void> {
  allow(user, 'catalog.edit');
  const search = searchIndexFor(db);
  await inWriteTransaction(db, async (w) => {
    const row = await findWork(w, slug);
    const [detail] = await works.loadWorkDetails(w.trx, [row.id]);
    if (!detail) throw notFound(`The work "${slug}"`);
    const base: ParsedWork = {
      title: detail.title,
      kind: detail.kind as WorkKind | null,
      year: detail.year,
      synopsis: detail.synopsis,
      altTitles: detail.altTitles.map((t) => ({ title: t.title, type: t.type as ParsedAltTitle['type'] })),
      credits: detail.credits.map((c) => ({ role: c.role as CreditRole, name: c.name })),
      studios: detail.studios.map((s) => s.name),
      platforms: detail.platforms.map((s) => s.name),
      tags: detail.tags.map((s) => s.name),
      externalIds: detail.externalIds,
    };
    const parsed = describe(patch, base);
    await refuseHeldIds(w, parsed, row.id);
    await works.updateWork(w.trx, row.id, { title: parsed.title, kind: parsed.kind, year: parsed.year, synopsis: parsed.synopsis, updatedAt: now });
    // Titles, ids, credits and links written anew from the merged description.
    await works.deleteWorkDetails(w.trx, row.id);
    const keys = new Set<string>();
    const titles = [{ title: parsed.title, type: 'main' }, ...parsed.altTitles]
      .map((t) => ({ ...t, titleKey: titleKey(t.title) }))
      .filter((t) => !keys.has(t.titleKey) && keys.add(t.titleKey))
      .map((t, position) => ({ ...t, position }));
    await works.insertTitles(w.trx, row.id, titles);
    await works.insertExternalIds(w.trx, row.id, Object.entries(parsed.externalIds).map(([source, externalId]) => ({ source, externalId })));
    await addMissingNames(w, row.id, parsed, now);
    await reindexWork(w.trx, search, row.id);
    // A review's search document holds its work's title.
    if (parsed.title !== detail.title) await reindexReviewsOfWorks(w, [row.id]);
    await recordAudit(w.trx, { action: 'work_edited', actorId: user.id, subject: `work ${row.id} (${row.slug})`, detail: { fields: Object.keys(patch) } });
  });
}

async function reindexReviewsOfWorks(w: Trx, workIds: number[]): Promise<void> {
  const search = searchIndexFor({ dialect: w.dialect });
  for (const workId of workIds) {
    const views = await listPublishedReviews(w.trx, { workId, limit: 1_000_000 });
    await indexReviews(w.trx, search, views);
  }
}

/** Deletes a work that has no review (a draft counts; so does nothing else). */
export async function deleteWork(db: Db, user: UserRow, slug: string): Promise<void> {
  allow(user, 'catalog.delete');
  const search = searchIndexFor(db);
  await inWriteTransaction(db, async (w) => {
    const row = await findWork(w, slug);
    const count = await countReviewsOfWork(w.trx, row.id);
    if (count > 0) throw new AppError('conflict', `The work "${row.title}" has ${count} review${count === 1 ? '' : 's'}; delete ${count === 1 ? 'it' : 'them'} first.`);
    await search.remove(w.trx, 'works', row.id);
    await works.deleteWork(w.trx, row.id);
    await recordAudit(w.trx, { action: 'work_deleted', actorId: user.id, subject: `work ${row.id} (${row.slug})`, detail: { title: row.title } });
  });
}

// ---- people, studios, platforms

async function findName(w: Trx, table: CatalogName, slug: string): Promise<Named> {
  const found = await findNamedBySlug(w.trx, table, slug);
  if (!found) throw notFound(`${table === 'people' ? 'The person' : table === 'studios' ? 'The studio' : 'The platform'} "${slug.slice(0, 200)}"`);
  return found;
}

/** Adds a person, studio or platform; a name already here (folded) is a conflict naming it. */
export async function createName(db: Db, user: UserRow, table: CatalogName, rawName: string, now = isoNow()): Promise<Named> {
  allow(user, 'catalog.create');
  const cleaned = name('name', rawName);
  return inWriteTransaction(db, async (w) => {
    const existing = await findNamedByKey(w.trx, table, nameKey(cleaned));
    if (existing) throw new AppError('conflict', `name: "${existing.name}" is already here as ${existing.slug}`);
    return findOrCreateNamed(w.trx, table, cleaned, now);
  });
}

/** Renames a person, studio or platform (its slug stays); the works naming it are reindexed. */
export async function renameName(db: Db, user: UserRow, table: CatalogName, slug: string, rawName: string): Promise<Named> {
  allow(user, 'catalog.edit');
  const cleaned = name('name', rawName);
  const search = searchIndexFor(db);
  return inWriteTransaction(db, async (w) => {
    const found = await findName(w, table, slug);
    const key = nameKey(cleaned);
    const holder = await findNamedByKey(w.trx, table, key);
    if (holder && holder.id !== found.id) throw new AppError('conflict', `name: "${holder.name}" is already here as ${holder.slug}`);
    await renameNamed(w.trx, table, found.id, cleaned, key);
    // Platforms are not in a work's search document; people and studios are.
    if (table !== 'platforms') for (const workId of await worksNaming(w.trx, table, found.id)) await reindexWork(w.trx, search, workId);
    await recordAudit(w.trx, { action: 'name_renamed', actorId: user.id, subject: `${table} ${found.id} (${found.slug})`, detail: { from: found.name, to: cleaned } });
    return { ...found, name: cleaned };
  });
}

/** Deletes a person, studio or platform no work uses. */
export async function deleteName(db: Db, user: UserRow, table: CatalogName, slug: string): Promise<void> {
  allow(user, 'catalog.delete');
  await inWriteTransaction(db, async (w) => {
    const found = await findName(w, table, slug);
    const used = await worksNaming(w.trx, table, found.id);
    if (used.length > 0) throw new AppError('conflict', `"${found.name}" is named by ${used.length} work${used.length === 1 ? '' : 's'}; take it off them first.`);
    await deleteNamed(w.trx, table, found.id);
    await recordAudit(w.trx, { action: 'name_deleted', actorId: user.id, subject: `${table} ${found.id} (${found.slug})`, detail: { name: found.name } });
  });
}
