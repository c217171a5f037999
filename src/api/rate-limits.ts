/**
 * API rate limits, counted in the database (`throttles`, fixed windows) so every instance
 * agrees: each request carrying a token counts against its token, each write against the
 * address it came from. Anonymous reads count nothing and cost no query (the public read API
 * has throughput targets). Counted answers carry the IETF draft's `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` headers (of whichever limit is nearer); over a
 * limit, 429 with `Retry-After`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { apiCaller } from '../accounts/auth.http.js';
import { countUse, type Limit } from '../accounts/accounts.service.js';
import { AppError } from '../shared/errors.js';

/** Every limit of the API, in one place. */
export const API_RATE_LIMITS: { perToken: Limit; writesPerIp: Limit } = {
  /** Any request made with a token (reads and writes). */
  perToken: { max: 300, windowMs: 60_000 },
  /** State-changing requests from one address, whatever their token. */
  writesPerIp: { max: 60, windowMs: 60_000 },
};

const isWrite = (method: string) => method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';

async function count(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const counts: { limit: Limit; state: Awaited<ReturnType<typeof countUse>> }[] = [];
  // An invalid token counts nothing here; the route answers 401 if it needs one.
  const caller = request.headers.authorization ? await apiCaller(db, request).catch(() => undefined) : undefined;
  if (caller) counts.push({ limit: API_RATE_LIMITS.perToken, state: await countUse(db, `api:token:${caller.tokenId}`, API_RATE_LIMITS.perToken) });
  if (isWrite(request.method)) counts.push({ limit: API_RATE_LIMITS.writesPerIp, state: await countUse(db, `api:ip:${request.ip}`, API_RATE_LIMITS.writesPerIp) });
  if (counts.length === 0) return;
  const refused = counts.find((c) => !c.state.allowed);
  const shown = refused ?? counts.reduce((a, b) => (b.state.remaining < a.state.remaining ? b : a));
  reply.header('ratelimit-limit', String(shown.limit.max));
  reply.header('ratelimit-remaining', String(shown.state.remaining));
  reply.header('ratelimit-reset', String(shown.state.resetSeconds));
  if (refused) {
    throw new AppError('too_many_requests', `Too many requests; try again in ${refused.state.resetSeconds} seconds.`, { retryAfter: refused.state.resetSeconds });
  }
}

/** Counts the scope's requests (register before its routes). */
export function registerRateLimits(app: FastifyInstance, db: Kysely<Database>): void {
  app.addHook('onRequest', (request, reply, done) => {
    // The hot path: an anonymous read does nothing here, not even a promise.
    if (!request.headers.authorization && !isWrite(request.method)) return done();
    count(db, request, reply).then(() => done(), done);
  });
}
