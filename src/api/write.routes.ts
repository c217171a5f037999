/**
 * The API's writes: reviews, works, people, studios and platforms, and one's own profile.
 * Only `Authorization: Bearer <token>` is accepted (no cookies, so no cross-site requests to
 * guard against); who may do what is `accounts/permissions.ts#can`, the same table the site's
 * forms ask. Each route names what it needs in `config.auth` (the scope of token and the
 * action), checked before the body is: a request without a token is a 401 whatever it sends.
 * POSTs honour `Idempotency-Key` (idempotency.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Db } from '../db/connection.js';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { publicUser, updateProfile } from '../accounts/accounts.service.js';
import { requireApiCaller } from '../accounts/auth.http.js';
import type { Action } from '../accounts/permissions.js';
import type { UserRow } from '../accounts/accounts.repository.js';
import { createReview, deleteReview, findReviewForUser, hideReview, listRevisions, restoreReview, unhideReview, updateReview } from '../reviews/authoring.service.js';
import { presentReviewSummary } from '../reviews/reviews.routes.js';
import type { ReviewView } from '../reviews/reviews.repository.js';
import { createName, createWork, deleteName, deleteWork, renameName, updateWork, type CatalogName } from '../works/works.authoring.js';
import { getWork } from '../works/works.routes.js';
import { findNamedBySlug } from '../works/names.repository.js';
import { mergeNames, mergeWorks } from '../works/merge.service.js';
import { API_HEADERS, registerSecurityHeaders } from '../site/http.js';
import { forbidden, notFound } from '../shared/errors.js';
import { can } from '../accounts/permissions.js';
import { urls } from '../shared/urls.js';
import { idempotent } from './idempotency.js';
import {
  ErrorBody,
  Me,
  MeUpdate,
  NameCreate,
  NamedRecord,
  NameUpdate,
  OwnReview,
  RevisionList,
  ReviewCreate,
  ReviewUpdate,
  Work,
  WorkCreate,
  WorkUpdate,
  type OwnReviewJson,
} from './api.schemas.js';

/** What a route needs of its caller. */
export interface AuthNeed {
  scope: 'read' | 'write';
  action?: Action;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthNeed;
  }
}

const users = new WeakMap<FastifyRequest, UserRow>();

/** The caller checked by the route's `config.auth`. */
function caller(request: FastifyRequest): UserRow {
  const user = users.get(request);
  if (!user) throw new Error(`route ${request.routeOptions.url} has no config.auth`);
  return user;
}

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));
const writeErrors = errors(400, 401, 403, 404, 409, 413, 429);
const security = [{ bearer: [] as string[] }];
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) });
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ maxLength: 200, description: 'Retrying with the same key replays the first answer instead of writing again' })),
});
const NoContent = { 204: Type.Null({ description: 'Done; no body' }) };
const MergeBody = Type.Object(
  { into: Type.String({ minLength: 1, maxLength: 600, description: 'The slug (or site address) of the one to keep' }) },
  { additionalProperties: false },
);
const MERGE_REDIRECTS = 'Afterwards the duplicate’s addresses answer 301 with the survivor’s: its pages and feeds, and GET on its API record.';

export function presentOwnReview(view: ReviewView): OwnReviewJson {
  return { ...presentReviewSummary(view), body: view.body, status: view.status };
}

async function ownReview(db: Db, user: UserRow, id: number): Promise<OwnReviewJson> {
  const view = await findReviewForUser(db, user, id);
  if (!view) throw notFound(`The review ${id}`);
  return presentOwnReview(view);
}

/** Fastify's message, except that an unknown field is named ("body must not have the property 'author'"). */
function formatValidation(issues: FastifySchemaValidationError[], dataVar: string): Error {
  const text = issues
    .map((e) => {
      const where = `${dataVar}${e.instancePath}`;
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      return extra !== undefined ? `${where} must not have the property '${extra}': it cannot be set here` : `${where} ${e.message}`;
    })
    .join(', ');
  return new Error(text);
}

const NAME_ROUTES: { path: string; table: CatalogName; noun: string; url: (slug: string) => string }[] = [
  { path: '/people', table: 'people', noun: 'person', url: urls.person },
  { path: '/studios', table: 'studios', noun: 'studio', url: urls.studio },
  { path: '/platforms', table: 'platforms', noun: 'platform', url: urls.platform },
];

export async function writeRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  registerSecurityHeaders(app, API_HEADERS);
  app.setSchemaErrorFormatter(formatValidation);
  app.addHook('onRequest', (_request, reply, done) => {
    // Answers about one's own account and unpublished work are nobody else's to keep.
    reply.header('cache-control', 'private, no-store');
    done();
  });
  app.addHook('preValidation', async (request) => {
    const need = request.routeOptions.config.auth;
    if (need) users.set(request, await requireApiCaller(db.kysely, request, need));
  });

  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  // ── reviews
  api.post(
    '/reviews',
    {
      config: { auth: { scope: 'write', action: 'review.create' } },
      schema: {
        summary: 'Write a review (as the token’s owner)',
        tags: ['reviews'],
        security,
        headers: IdempotencyHeaders,
        body: ReviewCreate,
        response: { 201: OwnReview, ...writeErrors },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      return idempotent(db.kysely, req, reply, user.id, async () => {
        const id = await createReview(db, user, req.body as Parameters<typeof createReview>[2]);
        return { status: 201, body: await ownReview(db, user, id), location: `/api/v1/reviews/${id}` };
      });
    },
  );
  api.patch(
    '/reviews/:id',
    {
      config: { auth: { scope: 'write', action: 'review.edit' } },
      schema: {
        summary: 'Change a review (one’s own; editors and admins: anyone’s). The earlier version is kept.',
        tags: ['reviews'],
        security,
        params: IdParams,
        body: ReviewUpdate,
        response: { 200: OwnReview, ...writeErrors },
      },
    },
    async (req) => {
      const user = caller(req);
      await updateReview(db, user, req.params.id, req.body as Parameters<typeof updateReview>[3]);
      return ownReview(db, user, req.params.id);
    },
  );
  api.delete(
    '/reviews/:id',
    {
      config: { auth: { scope: 'write', action: 'review.edit' } },
      schema: {
        summary: 'Delete a review (recoverable for 30 days)',
        tags: ['reviews'],
        security,
        params: IdParams,
        response: { ...NoContent, ...writeErrors },
      },
    },
    async (req, reply) => {
      await deleteReview(db, caller(req), req.params.id);
      return reply.code(204).send(undefined as never);
    },
  );
  api.post(
    '/reviews/:id/restore',
    {
      config: { auth: { scope: 'write', action: 'review.edit' } },
      schema: {
        summary: 'Bring back a deleted review, with its id, within 30 days',
        tags: ['reviews'],
        security,
        headers: IdempotencyHeaders,
        params: IdParams,
        response: { 200: OwnReview, ...writeErrors },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      return idempotent(db.kysely, req, reply, user.id, async () => {
        await restoreReview(db, user, req.params.id);
        return { status: 200, body: await ownReview(db, user, req.params.id) };
      });
    },
  );

  api.get(
    '/reviews/:id/revisions',
    {
      config: { auth: { scope: 'read', action: 'review.edit' } },
      schema: {
        summary: 'A review’s earlier versions, newest first (its author, editors, admins)',
        tags: ['reviews'],
        security,
        params: IdParams,
        response: { 200: RevisionList, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      const user = caller(req);
      const view = await findReviewForUser(db, user, req.params.id);
      if (!view) throw notFound(`The review ${req.params.id}`);
      if (!can(user, 'review.edit', view.authorId)) throw forbidden('Only the review’s author, editors and admins may read its history.');
      const items = (await listRevisions(db, req.params.id)).map((r) => ({
        id: r.id,
        editedAt: r.editedAt,
        editedBy: r.editedBy,
        previous: {
          status: r.previous.status ?? null,
          headline: r.previous.headline ?? null,
          summary: r.previous.summary ?? null,
          body: r.previous.body ?? null,
          score: r.previous.scoreValue != null && r.previous.scoreMax != null ? { value: r.previous.scoreValue, max: r.previous.scoreMax } : null,
          updatedAt: r.previous.updatedAt ?? null,
        },
      }));
      return { items };
    },
  );
  api.post(
    '/reviews/:id/hide',
    {
      config: { auth: { scope: 'write', action: 'review.moderate' } },
      schema: {
        summary: 'Hide a review from readers, with a reason its author sees (editors, admins)',
        tags: ['reviews'],
        security,
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
        response: { 200: OwnReview, ...writeErrors },
      },
    },
    async (req) => {
      const user = caller(req);
      await hideReview(db, user, req.params.id, req.body.reason);
      return ownReview(db, user, req.params.id);
    },
  );
  api.post(
    '/reviews/:id/unhide',
    {
      config: { auth: { scope: 'write', action: 'review.moderate' } },
      schema: { summary: 'Show a hidden review again, with the status it had (editors, admins)', tags: ['reviews'], security, params: IdParams, response: { 200: OwnReview, ...writeErrors } },
    },
    async (req) => {
      const user = caller(req);
      await unhideReview(db, user, req.params.id);
      return ownReview(db, user, req.params.id);
    },
  );

  // ── works
  api.post(
    '/works',
    {
      config: { auth: { scope: 'write', action: 'catalog.create' } },
      schema: {
        summary: 'Add a work (409 for a likely duplicate unless "force": true)',
        tags: ['works'],
        security,
        headers: IdempotencyHeaders,
        body: WorkCreate,
        response: { 201: Work, ...writeErrors },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      return idempotent(db.kysely, req, reply, user.id, async () => {
        const slug = await createWork(db, user, req.body as Parameters<typeof createWork>[2]);
        return { status: 201, body: await getWork(db, slug), location: `/api/v1/works/${slug}` };
      });
    },
  );
  api.patch(
    '/works/:slug',
    {
      config: { auth: { scope: 'write', action: 'catalog.edit' } },
      schema: { summary: 'Change a work', tags: ['works'], security, params: SlugParams, body: WorkUpdate, response: { 200: Work, ...writeErrors } },
    },
    async (req) => {
      await updateWork(db, caller(req), req.params.slug, req.body as Parameters<typeof updateWork>[3]);
      return getWork(db, req.params.slug);
    },
  );
  api.delete(
    '/works/:slug',
    {
      config: { auth: { scope: 'write', action: 'catalog.delete' } },
      schema: { summary: 'Delete a work without reviews', tags: ['works'], security, params: SlugParams, response: { ...NoContent, ...writeErrors } },
    },
    async (req, reply) => {
      await deleteWork(db, caller(req), req.params.slug);
      return reply.code(204).send(undefined as never);
    },
  );

  api.post(
    '/works/:slug/merge',
    {
      config: { auth: { scope: 'write', action: 'catalog.edit' } },
      schema: {
        summary: 'Merge a duplicate work into another (editors, admins); answers the survivor',
        description:
          'Its reviews, list entries, credits, studios, platforms, tags, titles and external ids move to the work named in "into", and the duplicate is deleted. ' +
          'One review per author and work: when an author reviewed both, their review of the survivor stays and the other is kept as deleted (restorable by them). ' +
          MERGE_REDIRECTS,
        tags: ['works'],
        security,
        headers: IdempotencyHeaders,
        params: SlugParams,
        body: MergeBody,
        response: { 200: Work, ...writeErrors },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      return idempotent(db.kysely, req, reply, user.id, async () => {
        const merged = await mergeWorks(db, user, req.params.slug, req.body.into);
        return { status: 200, body: await getWork(db, merged.into.slug) };
      });
    },
  );

  // ── people, studios, platforms
  for (const { path, table, noun, url } of NAME_ROUTES) {
    const present = (n: { id: number; name: string; slug: string }) => ({ id: n.id, name: n.name, slug: n.slug, url: url(n.slug) });
    api.post(
      path,
      {
        config: { auth: { scope: 'write', action: 'catalog.create' } },
        schema: { summary: `Add a ${noun}`, tags: ['catalogue'], security, headers: IdempotencyHeaders, body: NameCreate, response: { 201: NamedRecord, ...writeErrors } },
      },
      async (req, reply) => {
        const user = caller(req);
        return idempotent(db.kysely, req, reply, user.id, async () => {
          const created = await createName(db, user, table, req.body.name);
          return { status: 201, body: present(created), location: `/api/v1${path}/${created.slug}` };
        });
      },
    );
    api.get(
      `${path}/:slug`,
      { schema: { summary: `One ${noun}`, tags: ['catalogue'], params: SlugParams, response: { 200: NamedRecord, ...errors(400, 404) } } },
      async (req, reply) => {
        reply.header('cache-control', 'public, max-age=0, s-maxage=60');
        const found = await findNamedBySlug(db.kysely, table, req.params.slug);
        if (!found) throw notFound(`The ${noun} "${req.params.slug}"`);
        return present(found);
      },
    );
    api.patch(
      `${path}/:slug`,
      {
        config: { auth: { scope: 'write', action: 'catalog.edit' } },
        schema: { summary: `Rename a ${noun} (the slug stays)`, tags: ['catalogue'], security, params: SlugParams, body: NameUpdate, response: { 200: NamedRecord, ...writeErrors } },
      },
      async (req) => present(await renameName(db, caller(req), table, req.params.slug, req.body.name)),
    );
    api.post(
      `${path}/:slug/merge`,
      {
        config: { auth: { scope: 'write', action: 'catalog.edit' } },
        schema: {
          summary: `Merge a duplicate ${noun} into another (editors, admins); answers the survivor`,
          description: `Its credits move to the ${noun} named in "into" (one the survivor already has on a work is dropped), and the duplicate is deleted. ${MERGE_REDIRECTS}`,
          tags: ['catalogue'],
          security,
          headers: IdempotencyHeaders,
          params: SlugParams,
          body: MergeBody,
          response: { 200: NamedRecord, ...writeErrors },
        },
      },
      async (req, reply) => {
        const user = caller(req);
        return idempotent(db.kysely, req, reply, user.id, async () => ({ status: 200, body: present((await mergeNames(db, user, table, req.params.slug, req.body.into)).into) }));
      },
    );
    api.delete(
      `${path}/:slug`,
      {
        config: { auth: { scope: 'write', action: 'catalog.delete' } },
        schema: { summary: `Delete a ${noun} no work names`, tags: ['catalogue'], security, params: SlugParams, response: { ...NoContent, ...writeErrors } },
      },
      async (req, reply) => {
        await deleteName(db, caller(req), table, req.params.slug);
        return reply.code(204).send(undefined as never);
      },
    );
  }

  // ── one's own account
  const me = (u: UserRow) => {
    const { id, email, name, role, authorId, reviewScale, disabled, createdAt } = publicUser(u);
    return { id, email, name, role, authorId, reviewScale, disabled, createdAt };
  };
  api.get(
    '/users/me',
    {
      config: { auth: { scope: 'read' } },
      schema: { summary: 'The token’s owner', tags: ['account'], security, response: { 200: Me, ...errors(401, 429) } },
    },
    async (req) => me(caller(req)),
  );
  api.patch(
    '/users/me',
    {
      config: { auth: { scope: 'write' } },
      schema: { summary: 'Change one’s display name or default scale (never one’s role)', tags: ['account'], security, body: MeUpdate, response: { 200: Me, ...writeErrors } },
    },
    async (req) => me(await updateProfile(db.kysely, caller(req).id, req.body)),
  );
}
