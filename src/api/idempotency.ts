/**
 * `Idempotency-Key` on the API's POSTs: a client that retries a request with the same key gets
 * the first answer again (with `Idempotency-Replayed: true`) and nothing is written twice.
 * Keys belong to a user; the same key with another method, path or body is a 409. The key is
 * taken before the request runs, so two copies arriving together cannot both write: the
 * second is told the first is still in progress. A request that fails gives its key back.
 * Keys are kept a day (accounts.service#pruneExpired).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError, invalidInput } from '../shared/errors.js';

export interface Answer {
  status: number;
  body: unknown;
  /** The Location header of a 201. */
  location?: string;
}

const KEY = /^[\x21-\x7e]{1,200}$/;

function requestHash(request: FastifyRequest): string {
  return createHash('sha256').update(`${request.method}\n${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
}

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  if (answer.location) reply.header('location', answer.location);
  reply.code(answer.status);
  return answer.status === 204 ? reply.send() : reply.send(answer.body);
}

/** Runs `write` once per key (when the request has one) and answers with what it gave. */
export async function idempotent(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply, userId: number, write: () => Promise<Answer>): Promise<FastifyReply> {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return send(reply, await write());
  if (typeof header !== 'string' || !KEY.test(header)) throw invalidInput('Idempotency-Key: 1 to 200 visible ASCII characters');
  const hash = requestHash(request);
  const mark = `pending:${randomBytes(12).toString('hex')}`;
  await db
    .insertInto('idempotencyKeys')
    .values({ userId, key: header, requestHash: hash, status: 0, response: mark, createdAt: new Date().toISOString() })
    .onConflict((oc) => oc.columns(['userId', 'key']).doNothing())
    .execute();
  const held = await db.selectFrom('idempotencyKeys').selectAll().where('userId', '=', userId).where('key', '=', header).executeTakeFirstOrThrow();
  if (held.response !== mark) {
    if (held.requestHash !== hash) throw new AppError('conflict', 'Idempotency-Key: this key was already used for a different request (method, path or body); use a new key.');
    if (held.status === 0) throw new AppError('conflict', 'Idempotency-Key: a request with this key is still in progress; retry in a moment.');
    reply.header('idempotency-replayed', 'true');
    const stored = JSON.parse(held.response) as { body: unknown; location?: string };
    return send(reply, { status: held.status, body: stored.body, location: stored.location });
  }
  let answer: Answer;
  try {
    answer = await write();
  } catch (error) {
    await db.deleteFrom('idempotencyKeys').where('userId', '=', userId).where('key', '=', header).where('response', '=', mark).execute();
    throw error;
  }
  await db
    .updateTable('idempotencyKeys')
    .set({ status: answer.status, response: JSON.stringify({ body: answer.body ?? null, location: answer.location }) })
    .where('userId', '=', userId)
    .where('key', '=', header)
    .execute();
  return send(reply, answer);
}
