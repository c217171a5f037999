/**
 * Every URL of the API on one screen.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Db } from '../db/connection.js';
import { listReviews, publishedReviewAnswer } from '../reviews/reviews.routes.js';
import { getWork, listWorks } from '../works/works.routes.js';
import { API_HEADERS, etagFromVersion, registerEtags, registerSecurityHeaders } from '../site/http.js';
import { ErrorBody, Review, ReviewPage, ReviewsQuery, Work, WorkPage, WorksQuery } from './api.schemas.js';
import { notFound } from '../shared/errors.js';
import { apiCaller } from '../accounts/auth.http.js';
import { findReviewForUser } from '../reviews/authoring.service.js';
import { registerRateLimits } from './rate-limits.js';
import { presentOwnReview, writeRoutes } from './write.routes.js';

const errors = { 400: ErrorBody, 404: ErrorBody };

/**
 * The schema stays the route's documented contract (and types the handler's answer), but this
 * route's answers are not serialised with fast-json-stringify, whose JavaScript escape loop
 * costs more than native code on a review's long Markdown body (see bench/README.md). On SQLite
 * the 200 answer is JSON text the database wrote (`publishedReviewAnswer`), sent as it is; on
 * PostgreSQL it is the presented review, built field by field from the schema's type, and
 * serialised with `JSON.stringify`, as are the error handler's `{ error: { code, message } }`.
 * Nothing reaches the client that the schema would have filtered; a test holds the two forms equal.
 */
const nativeJson = () => (data: unknown) => JSON.stringify(data);

/**
 * Every answer carries an ETag and a matching `If-None-Match` gets 304: the busiest route,
 * one review by id, makes its ETag from the facts the answer is made of; the others from the
 * body (an onSend hook, in their own scope).
 */
export async function apiRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  // Requests with a token, and writes, count against their limits; anonymous reads cost nothing.
  registerRateLimits(app, db.kysely);
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/reviews/:id',
    {
      schema: {
        summary: 'One published review (or, with the token of someone who may edit it, a draft)',
        tags: ['reviews'],
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }),
        response: { 200: Review, ...errors },
      },
      serializerCompiler: nativeJson,
    },
    async (req, reply) => {
      reply.headers(API_HEADERS);
      const answer = await publishedReviewAnswer(db, req.params.id);
      if (!answer) {
        // A draft, shown to a caller who may edit it: only then is the token looked at.
        const view = req.headers.authorization ? await findReviewForUser(db, (await apiCaller(db.kysely, req))?.user, req.params.id) : undefined;
        if (!view) throw notFound(`The review ${req.params.id}`);
        reply.header('cache-control', 'private, no-store');
        return presentOwnReview(view);
      }
      if (etagFromVersion(req, reply, answer.facts)) return reply.code(304).send(undefined as never);
      if (typeof answer.body !== 'string') return answer.body;
      // JSON text from the database: a string with a JSON content type is sent as it is.
      reply.header('content-type', 'application/json; charset=utf-8');
      return answer.body as never;
    },
  );
  await app.register(bodyEtagRoutes, { db });
  await app.register(writeRoutes, { db });
}

async function bodyEtagRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  registerSecurityHeaders(app, API_HEADERS);
  await registerEtags(app);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/works', { schema: { summary: 'Works, or a search of them', tags: ['works'], querystring: WorksQuery, response: { 200: WorkPage, ...errors } } }, (req) => listWorks(db, req.query));
  api.get(
    '/works/:slug',
    { schema: { summary: 'One work with its credits and score summary', tags: ['works'], params: Type.Object({ slug: Type.String({ maxLength: 200 }) }), response: { 200: Work, ...errors } } },
    (req) => getWork(db, req.params.slug),
  );
  api.get('/reviews', { schema: { summary: 'Published reviews: of a work, by an author, or a search', tags: ['reviews'], querystring: ReviewsQuery, response: { 200: ReviewPage, ...errors } } }, (req) => listReviews(db, req.query));
}
