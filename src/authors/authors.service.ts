/**
 * Authors: who wrote a review: a name, a slug and a bio. An account writes as one author.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { findNamedById, findNamedBySlug, findOrCreateNamed, type Named } from '../works/names.repository.js';

type Executor = Kysely<Database> | Transaction<Database>;

export function findOrCreateAuthor(db: Executor, name: string, now: string): Promise<Named> {
  return findOrCreateNamed(db, 'authors', name, now);
}

export function findAuthorById(db: Executor, id: number): Promise<Named | undefined> {
  return findNamedById(db, 'authors', id);
}

export function findAuthorBySlug(db: Executor, slug: string): Promise<Named | undefined> {
  return findNamedBySlug(db, 'authors', slug);
}
