/**
 * Every URL of the API on one screen.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Db } from '../db/connection.js';
import { getReview, listReviews } from '../reviews/reviews.routes.js';
import { getWork, listWorks } from '../works/works.routes.js';
import { API_HEADERS, etagFromVersion, registerEtags, registerSecurityHeaders } from '../site/http.js';
import { ErrorBody, Review, ReviewPage, ReviewsQuery, Work, WorkPage, WorksQuery } from './api.schemas.js';

const errors = { 400: ErrorBody, 404: ErrorBody };

/**
 * The schema stays the route's documented contract (and types the handler's answer), but this
 * route's answers are serialised with `JSON.stringify` rather than fast-json-stringify, whose
 * JavaScript escape loop costs more than V8's native one on a review's long Markdown body (a
 * few µs a request here, see bench/README.md). That is safe because nothing reaches the
 * serialiser that the schema would have filtered: the 200 answer is `getReview`'s object, built
 * field by field from the schema's type, and the error answers are the error handler's
 * `{ error: { code, message } }`.
 */
const nativeJson = () => (data: unknown) => JSON.stringify(data);

/**
 * Every answer carries an ETag and a matching `If-None-Match` gets 304: the busiest route,
 * one review by id, makes its ETag from the facts the answer is made of; the others from the
 * body (an onSend hook, in their own scope).
 */
export async function apiRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/reviews/:id',
    {
      schema: { params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }), response: { 200: Review, ...errors } },
      serializerCompiler: nativeJson,
    },
    async (req, reply) => {
      reply.headers(API_HEADERS);
      const review = await getReview(db, req.params.id);
      // Everything the answer shows besides the review's own fields (whose edits move updatedAt):
      // the work's slug and title and the author's slug and name.
      const facts = ['review-v2', review.id, review.updatedAt, review.work, review.workTitle, review.author.slug, review.author.name];
      if (etagFromVersion(req, reply, facts)) return reply.code(304).send(undefined as never);
      return review;
    },
  );
  await app.register(bodyEtagRoutes, { db });
}

async function bodyEtagRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  registerSecurityHeaders(app, API_HEADERS);
  await registerEtags(app);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/works', { schema: { querystring: WorksQuery, response: { 200: WorkPage, ...errors } } }, (req) => listWorks(db, req.query));
  api.get(
    '/works/:slug',
    { schema: { params: Type.Object({ slug: Type.String({ maxLength: 200 }) }), response: { 200: Work, ...errors } } },
    (req) => getWork(db, req.params.slug),
  );
  api.get('/reviews', { schema: { querystring: ReviewsQuery, response: { 200: ReviewPage, ...errors } } }, (req) => listReviews(db, req.query));
}
