/**
 * A comparison server for `GET /api/v1/reviews/:id`: the same database (opened by the app's
 * `openDatabase`, so the same pragmas), the same Fastify, but the review read with one prepared
 * better-sqlite3 statement instead of a Kysely query. Modes:
 *
 *   prepared         same params and response schemas and the same presenter as the app: the only
 *                    difference from the real route is the data access (and no logger)
 *   prepared-logger  the same with the app's logger settings (pino at LOG_LEVEL=warn, request
 *                    logging off): what the logger costs per request
 *   app-data         the app's own publishedReviewAnswer (on SQLite the JSON written by the
 *                    database) on a bare Fastify without logger: the data layer next to `prepared`
 *   raw              no schemas at all, the row sent as JSON: the floor of Fastify + SQLite here
 *
 *   DATABASE_URL=… PORT=… taskset -c 0 node --import tsx bench/lib/bare-server.ts prepared
 */
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { openDatabase } from '../../src/db/connection.js';
import { ErrorBody, Review } from '../../src/api/api.schemas.js';
import { presentReviewSummary, publishedReviewAnswer } from '../../src/reviews/reviews.routes.js';
import type { ReviewView } from '../../src/reviews/reviews.repository.js';

const mode = process.argv[2] ?? 'prepared';
const db = await openDatabase(process.env.DATABASE_URL ?? '', { migrate: false });
const sqlite = db.sqlite!;
const byId = sqlite.prepare(`
  select r.id, r.work_id as workId, r.author_id as authorId, r.status, r.headline, r.summary, r.body,
         r.score_value as scoreValue, r.score_max as scoreMax, r.score_text as scoreText, r.rating,
         r.has_spoilers as hasSpoilers, r.published_at as publishedAt, r.created_at as createdAt, r.updated_at as updatedAt,
         w.slug as workSlug, w.title as workTitle, a.slug as authorSlug, a.name as authorName
  from reviews r join works w on w.id = r.work_id join authors a on a.id = r.author_id
  where r.id = ?`);

const app =
  mode === 'prepared-logger'
    ? Fastify({ logger: { level: 'warn' }, disableRequestLogging: true })
    : Fastify({ logger: false });
const schema = { params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }), response: { 200: Review, 404: ErrorBody } };
app.get('/healthz', async () => ({ status: 'ok' }));
if (mode === 'raw') {
  app.get('/api/v1/reviews/:id', async (req, reply) => {
    const row = byId.get(Number((req.params as { id: string }).id)) as ReviewView | undefined;
    if (!row || row.status !== 'published') return reply.status(404).send({ error: { code: 'not_found', message: 'not found' } });
    return row;
  });
} else if (mode === 'app-data') {
  app.withTypeProvider<TypeBoxTypeProvider>().get('/api/v1/reviews/:id', { schema }, async (req, reply) => {
    const answer = await publishedReviewAnswer(db, req.params.id);
    if (!answer) return reply.status(404).send({ error: { code: 'not_found', message: 'not found' } });
    if (typeof answer.body !== 'string') return answer.body;
    reply.header('content-type', 'application/json; charset=utf-8');
    return answer.body as never;
  });
} else {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/reviews/:id',
    { schema },
    async (req, reply) => {
      const row = byId.get(req.params.id) as ReviewView | undefined;
      if (!row || row.status !== 'published') return reply.status(404).send({ error: { code: 'not_found', message: 'not found' } });
      return { ...presentReviewSummary(row), body: row.body };
    },
  );
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => db.close());
  });
}
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
