/**
 * Authors: who wrote a review. Later tied to accounts; for now a name, a slug and a bio.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { findNamedBySlug, findOrCreateNamed, type Named } from '../works/names.repository.js';

type Executor = Kysely<Database> | Transaction<Database>;

export function findOrCreateAuthor(db: Executor, name: string, now: string): Promise<Named> {
  return findOrCreateNamed(db, 'authors', name, now);
}

export function findAuthorBySlug(db: Executor, slug: string): Promise<Named | undefined> {
  return findNamedBySlug(db, 'authors', slug);
}
