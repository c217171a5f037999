/**
 * Every URL of the API on one screen.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Db } from '../db/connection.js';
import { getReview, listReviews } from '../reviews/reviews.routes.js';
import { getWork, listWorks } from '../works/works.routes.js';
import { ErrorBody, Review, ReviewPage, ReviewsQuery, Work, WorkPage, WorksQuery } from './api.schemas.js';

const errors = { 400: ErrorBody, 404: ErrorBody };

export async function apiRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/works', { schema: { querystring: WorksQuery, response: { 200: WorkPage, ...errors } } }, (req) => listWorks(db, req.query));
  api.get(
    '/works/:slug',
    { schema: { params: Type.Object({ slug: Type.String({ maxLength: 200 }) }), response: { 200: Work, ...errors } } },
    (req) => getWork(db, req.params.slug),
  );
  api.get('/reviews', { schema: { querystring: ReviewsQuery, response: { 200: ReviewPage, ...errors } } }, (req) => listReviews(db, req.query));
  api.get(
    '/reviews/:id',
    { schema: { params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }), response: { 200: Review, ...errors } } },
    (req) => getReview(db, req.params.id),
  );
}
