/**
 * Merging duplicates (editors and admins: `catalog.edit`). One transaction each:
 *
 * - A work into another: its reviews, list entries, credits, studios, platforms, tags, titles
 *   (its main title becomes an alternative title of the survivor), external ids and its
 *   reviews' old addresses move to the survivor; the duplicate is deleted and its slug kept in
 *   `work_redirects`, so `/works/OLD…` and `GET /api/v1/works/OLD` answer 301 with the
 *   survivor's address. One review per author and work holds: when an author reviewed both, the
 *   survivor's review stays and the duplicate's is kept aside in `deleted_reviews` (as
 *   `deleteReview` keeps one: restorable by its author, once they give up the other) and named
 *   in the result; its old blog addresses lead to the review kept. Likewise an author's list
 *   entry of the duplicate goes when they have one of the survivor, and an external id from a
 *   source the survivor has an id from stays the survivor's.
 * - A person, studio or platform into another of its kind: credits (links) move, exact
 *   duplicates dropped; the duplicate is deleted, its slug kept in `name_redirects`.
 *
 * Redirects never chain: merging A into B and then B into C points A at C.
 */
import type { Db } from '../db/connection.js';
import type { ReviewRow } from '../db/schema.js';
import { searchIndexFor } from '../search/search.js';
import { AppError, forbidden, invalidInput, notFound } from '../shared/errors.js';
import { titleKey } from '../import/prepare.js';
import { can } from '../accounts/permissions.js';
import { recordAudit } from '../accounts/accounts.service.js';
import type { UserRow } from '../accounts/accounts.repository.js';
import { inWriteTransaction } from '../reviews/authoring.service.js';
import * as reviews from '../reviews/reviews.repository.js';
import { indexReviews } from '../reviews/reviews.service.js';
import { reindexWork } from './works.service.js';
import type { CatalogName } from './works.authoring.js';
import * as names from './names.repository.js';
import * as works from './works.repository.js';

type Trx = Parameters<Parameters<typeof inWriteTransaction>[1]>[0];
type Executor = Db['kysely'] | Trx['trx'];

const isoNow = () => new Date().toISOString();

function allow(user: UserRow): void {
  if (!can(user, 'catalog.edit')) throw forbidden('Your role may not change the catalogue: only editors and admins merge duplicates.');
}

/** A work as the merge names it. */
export interface MergedWork {
  id: number;
  slug: string;
  title: string;
  year: number | null;
}

/** A review of the duplicate kept aside because its author had reviewed the survivor too. */
export interface SetAsideReview {
  /** Its id: restorable under it from `deleted_reviews`. */
  id: number;
  authorId: number;
  authorName: string;
  /** The author's review of the survivor, which stays. */
  keptId: number;
}

/** What merging a work would move (`previewWorkMerge`) or moved (`mergeWorks`). */
export interface WorkMerge {
  from: MergedWork;
  into: MergedWork;
  /** Reviews that move to the survivor (drafts included). */
  reviews: number;
  /** Reviews kept aside in `deleted_reviews` (one review per author and work). */
  setAside: SetAsideReview[];
  /** Credits, studios, platforms and tags the survivor did not have. */
  credits: number;
  studios: number;
  platforms: number;
  tags: number;
  listEntries: number;
  /** List entries of the duplicate that go: their author has one of the survivor. */
  listEntriesDropped: number;
  /** External ids of the duplicate that go: the survivor has one from the same source. */
  externalIdsDropped: { source: string; externalId: string }[];
}

/** The slug in what was typed: a slug, or an address of the site (`https://…/works/SLUG/feed.atom?x`). */
export function slugFrom(typed: string, prefix: string): string {
  const text = typed.trim();
  const at = text.indexOf(prefix);
  return (at >= 0 ? text.slice(at + prefix.length) : text).replace(/[/?#].*$/s, '').trim();
}

async function workOf(db: Executor, slug: string, field?: string): Promise<MergedWork> {
  const row = await works.findWorkBySlug(db, slug);
  if (row) return { id: row.id, slug: row.slug, title: row.title, year: row.year };
  const moved = await works.findWorkRedirect(db, slug);
  const survivor = moved !== undefined ? await works.findWorkBySlug(db, moved) : undefined;
  // A duplicate merged before: the survivor is meant.
  if (survivor) return { id: survivor.id, slug: survivor.slug, title: survivor.title, year: survivor.year };
  if (field) throw invalidInput(`${field}: there is no work “${slug.slice(0, 200)}” here`);
  throw notFound(`The work "${slug.slice(0, 200)}"`);
}

/** The works of a merge, checked: both here, not the same one. */
async function workPair(db: Executor, fromSlug: string, intoSlug: string): Promise<{ from: MergedWork; into: MergedWork }> {
  const row = await works.findWorkBySlug(db, fromSlug);
  if (!row) throw notFound(`The work "${fromSlug.slice(0, 200)}"`);
  const from = { id: row.id, slug: row.slug, title: row.title, year: row.year };
  if (!slugFrom(intoSlug, '/works/')) throw invalidInput('into: the address or slug of the work to keep');
  const into = await workOf(db, slugFrom(intoSlug, '/works/'), 'into');
  if (into.id === from.id) throw invalidInput('into: that is this work; name the other one (the one to keep)');
  return { from, into };
}

/** What merging the work `fromSlug` into `intoSlug` would do, without doing it (the confirmation step). */
export async function previewWorkMerge(db: Db, user: UserRow, fromSlug: string, intoSlug: string): Promise<WorkMerge> {
  allow(user);
  const { from, into } = await workPair(db.kysely, fromSlug, intoSlug);
  const setAside = await reviews.listReviewsConflictingOnMerge(db.kysely, from.id, into.id);
  const all = await reviews.listReviewIdsOfWork(db.kysely, from.id);
  const links = await works.countMovableLinks(db.kysely, from.id, into.id);
  const entries = await works.countMovableListEntries(db.kysely, from.id, into.id);
  const [fromDetail, intoDetail] = await works.loadWorkDetails(db.kysely, [from.id, into.id]);
  const externalIdsDropped = Object.entries(fromDetail?.externalIds ?? {})
    .filter(([source]) => intoDetail?.externalIds[source] !== undefined)
    .map(([source, externalId]) => ({ source, externalId }));
  return { from, into, reviews: all.length - setAside.length, setAside, ...links, listEntries: entries.moving, listEntriesDropped: entries.conflicting, externalIdsDropped };
}

/**
 * Merges the work `fromSlug` into `intoSlug` (a slug, or an old slug of it): see the top of the
 * file. Returns what moved; the survivor keeps its own slug, title and facts.
 */
export async function mergeWorks(db: Db, user: UserRow, fromSlug: string, intoSlug: string, now = isoNow()): Promise<WorkMerge> {
  allow(user);
  const search = searchIndexFor(db);
  return inWriteTransaction(db, async (w) => {
    const trx = w.trx;
    const { from, into } = await workPair(trx, fromSlug, intoSlug);
    await works.lockWorks(trx, [from.id, into.id], w.dialect);

    // Reviews: the duplicate's review of an author who reviewed the survivor is kept aside.
    const setAside = await reviews.listReviewsConflictingOnMerge(trx, from.id, into.id);
    for (const conflict of setAside) await setReviewAside(w, user, conflict, into.id, now);
    const moved = await reviews.listReviewIdsOfWork(trx, from.id);
    await reviews.moveReviewsToWork(trx, from.id, into.id);
    const several = await reviews.findAuthorsWithSeveralReviews(trx, into.id);
    if (several.length) throw new AppError('conflict', 'A review of one of these works was written while they were being merged; merge again.');

    const entries = await works.countMovableListEntries(trx, from.id, into.id);
    const listEntriesDropped = await works.moveListEntries(trx, from.id, into.id);
    const links = await works.countMovableLinks(trx, from.id, into.id);
    await works.moveWorkLinks(trx, from.id, into.id);
    await moveTitles(trx, from.id, into.id);
    const externalIdsDropped = await works.moveExternalIds(trx, from.id, into.id);

    // The duplicate goes (its leftover titles, ids, links and entries with it); its address stays.
    // (The redirects first: those leading to the duplicate would go with it.)
    await works.recordWorkRedirect(trx, from.slug, from.id, into.id, now);
    await search.remove(trx, 'works', from.id);
    await works.deleteWork(trx, from.id);

    await works.updateWork(trx, into.id, { updatedAt: now });
    await works.refreshWorkAggregates(trx, [into.id]);
    await reindexWork(trx, search, into.id);
    // A review's search document holds its work's title: the moved ones now have the survivor's.
    const views = (await reviews.findReviewViews(trx, moved)).filter((v) => v.status === 'published');
    await indexReviews(trx, search, views);

    const result: WorkMerge = { from, into, reviews: moved.length, setAside, ...links, listEntries: entries.moving, listEntriesDropped, externalIdsDropped };
    await recordAudit(trx, {
      action: 'work_merged',
      actorId: user.id,
      subject: `work ${into.id} (${into.slug})`,
      detail: {
        from: { id: from.id, slug: from.slug, title: from.title },
        reviews: moved,
        setAside: setAside.map((s) => s.id),
        listEntriesDropped,
        externalIdsDropped,
      },
    });
    return result;
  });
}

/**
 * Keeps a review of the duplicate in `deleted_reviews` the way `deleteReview` does (the row,
 * its revisions and old addresses), as a review of the survivor, so that its author can
 * restore it once they give up the review that stayed. Its old addresses lead to that one.
 */
async function setReviewAside(w: Trx, user: UserRow, conflict: SetAsideReview, intoId: number, now: string): Promise<void> {
  const trx = w.trx;
  const review = (await reviews.findReviewRow(trx, conflict.id)) as ReviewRow;
  const revisions = await reviews.listRevisionsInOrder(trx, conflict.id);
  const sources = await reviews.listReviewSources(trx, conflict.id);
  const snapshot = { review: { ...review, workId: intoId }, revisions, sources };
  await reviews.saveDeletedReview(trx, { reviewId: conflict.id, authorId: review.authorId, workId: intoId, deletedAt: now, deletedBy: user.id, snapshot: JSON.stringify(snapshot) });
  await reviews.moveReviewSources(trx, conflict.id, conflict.keptId);
  await reviews.deleteReview(trx, conflict.id);
  await searchIndexFor(w).remove(trx, 'reviews', conflict.id);
}

/** The duplicate's titles the survivor lacks (by folded key) become its alternative titles, after its own. */
async function moveTitles(trx: Trx['trx'], fromId: number, toId: number): Promise<void> {
  const [theirs, ours] = [await works.listWorkTitleRows(trx, fromId), await works.listWorkTitleRows(trx, toId)];
  const known = new Set(ours.map((t) => t.titleKey));
  let position = ours.reduce((max, t) => Math.max(max, t.position), 0) + 1;
  const added: { title: string; type: string; titleKey: string; position: number }[] = [];
  for (const t of theirs) {
    const key = t.titleKey || titleKey(t.title);
    if (known.has(key)) continue;
    known.add(key);
    // The duplicate's main title is one more name of the survivor.
    added.push({ title: t.title, type: t.type === 'main' ? 'other' : t.type, titleKey: key, position: position++ });
  }
  await works.insertTitles(trx, toId, added);
}

// ---- people, studios, platforms

const NOUN: Record<CatalogName, string> = { people: 'person', studios: 'studio', platforms: 'platform' };

/** What merging a name would move or moved. */
export interface NameMerge {
  table: CatalogName;
  from: names.Named;
  into: names.Named;
  /** Works naming the duplicate: they name the survivor after the merge. */
  works: number;
}

async function namePair(db: Executor, table: CatalogName, fromSlug: string, intoSlug: string): Promise<{ from: names.Named; into: names.Named }> {
  const from = await names.findNamedBySlug(db, table, fromSlug);
  if (!from) throw notFound(`The ${NOUN[table]} "${fromSlug.slice(0, 200)}"`);
  const slug = slugFrom(intoSlug, `/${table}/`);
  if (!slug) throw invalidInput(`into: the address or slug of the ${NOUN[table]} to keep`);
  let into = await names.findNamedBySlug(db, table, slug);
  if (!into) {
    const moved = await names.findNameRedirect(db, table, slug);
    into = moved !== undefined ? await names.findNamedBySlug(db, table, moved) : undefined;
  }
  if (!into) throw invalidInput(`into: there is no ${NOUN[table]} “${slug.slice(0, 200)}” here`);
  if (into.id === from.id) throw invalidInput(`into: that is this ${NOUN[table]}; name the other one (the one to keep)`);
  return { from, into };
}

/** What merging `fromSlug` into `intoSlug` would do, without doing it. */
export async function previewNameMerge(db: Db, user: UserRow, table: CatalogName, fromSlug: string, intoSlug: string): Promise<NameMerge> {
  allow(user);
  const { from, into } = await namePair(db.kysely, table, fromSlug, intoSlug);
  return { table, from, into, works: (await names.worksNaming(db.kysely, table, from.id)).length };
}

/**
 * Merges a person, studio or platform into another of its kind: its credits (links) move to the
 * survivor, dropping any the survivor already has; it is deleted and its slug leads to the
 * survivor. The works that named it are reindexed (people and studios are in a work's search
 * document).
 */
export async function mergeNames(db: Db, user: UserRow, table: CatalogName, fromSlug: string, intoSlug: string, now = isoNow()): Promise<NameMerge> {
  allow(user);
  const search = searchIndexFor(db);
  return inWriteTransaction(db, async (w) => {
    const trx = w.trx;
    const { from, into } = await namePair(trx, table, fromSlug, intoSlug);
    const touched = await names.moveNameLinks(trx, table, from.id, into.id);
    await names.deleteNamed(trx, table, from.id);
    await names.recordNameRedirect(trx, table, from, into.id, now);
    if (table !== 'platforms') for (const workId of touched) await reindexWork(trx, search, workId);
    await recordAudit(trx, {
      action: 'name_merged',
      actorId: user.id,
      subject: `${table} ${into.id} (${into.slug})`,
      detail: { from: { id: from.id, slug: from.slug, name: from.name }, works: touched },
    });
    return { table, from, into, works: touched.length };
  });
}
