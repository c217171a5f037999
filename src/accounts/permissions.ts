/**
 * Who may do what, in one table. The site's forms and the API ask `can` with the same
 * action names, so a form and its API twin can never disagree.
 */
import type { Role } from '../db/schema.js';

/** Every role, most powerful first. */
export const ROLES: readonly Role[] = ['admin', 'editor', 'author', 'reader'];

/** Who may create an account: nobody (the default), holders of an invitation link, anyone. */
export type SignupMode = 'closed' | 'invite' | 'open';
export const SIGNUP_MODES: readonly SignupMode[] = ['closed', 'invite', 'open'];

export type Action =
  /** Write a review of one's own. */
  | 'review.create'
  /** Edit, unpublish or delete a review: one's own, or (editors, admins) anyone's. */
  | 'review.edit'
  /** Hide a review from readers, with a reason, and unhide it. */
  | 'review.moderate'
  /** Add a work, person, studio or platform to the catalogue. */
  | 'catalog.create'
  /** Change or merge works, people, studios and platforms. */
  | 'catalog.edit'
  /** Delete a work, person, studio or platform. */
  | 'catalog.delete'
  /** Users, roles, invites, settings, the audit log. */
  | 'site.admin';

const ALLOWED: Record<Action, readonly Role[]> = {
  'review.create': ['admin', 'editor', 'author'],
  'review.edit': ['admin', 'editor', 'author'],
  'review.moderate': ['admin', 'editor'],
  'catalog.create': ['admin', 'editor', 'author'],
  'catalog.edit': ['admin', 'editor'],
  'catalog.delete': ['admin'],
  'site.admin': ['admin'],
};

/** Roles that may act on what other people wrote (editing, unpublishing, deleting their reviews). */
const MODERATORS: readonly Role[] = ['admin', 'editor'];

export interface Subject {
  role: Role;
  authorId: number | null;
}

/** Whether `user` may do `action`; for a review, `ownerAuthorId` is the author of the review acted on. */
export function can(user: Subject | undefined, action: Action, ownerAuthorId?: number): boolean {
  if (!user || !ALLOWED[action].includes(user.role)) return false;
  if (action === 'review.edit' && ownerAuthorId !== undefined && ownerAuthorId !== user.authorId) return MODERATORS.includes(user.role);
  return true;
}
