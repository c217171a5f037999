import { afterEach, expect, it } from 'vitest';
import { awayFromWindowEdge } from '../../test/clock.js';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import type { Db } from '../db/connection.js';
import type { Role } from '../db/schema.js';
import { createApiToken, createUser } from '../accounts/accounts.service.js';
import { importParsedItem } from '../import/import.service.js';
import { buildApp } from '../server/app.js';
import { API_RATE_LIMITS } from './rate-limits.js';
import { naughtyStrings } from '../../test/naughty.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(db: Db) {
  app = await buildApp({ db, logLevel: 'silent' });
  return app;
}

let n = 0;
async function account(db: Db, role: Role, scope: 'read' | 'write' = 'write') {
  n += 1;
  const user = await createUser(db.kysely, { email: `u${n}@example.org`, name: `${role} ${n}`, role, password: null }, { userId: null });
  const { token } = await createApiToken(db.kysely, user.id, { name: 'test', scope }, { userId: null });
  return { user, token, auth: { authorization: `Bearer ${token}` } };
}

async function seedWork(db: Db) {
  const item = await importParsedItem(db, makeItem({ title: 'Hero ≠ Mask', year: 2018 }, { score: { value: 8, max: 10 }, body: 'Better than they say.' }), {
    author: 'Ben Critic',
    now: () => '2024-03-05T10:00:00.000Z',
  });
  return item.work.slug;
}


forEachDatabase((fresh) => {
  it('creates a review as the token’s owner, shows a draft only to its author, publishes, edits with a revision, deletes and restores', async () => {
    const { db } = await fresh();
    const slug = await seedWork(db);
    const author = await account(db, 'author');
    const server = await start(db);

    const created = await server.inject({
      method: 'POST',
      url: '/api/v1/reviews',
      headers: author.auth,
      payload: { work: slug, score: { value: 4.5, max: 5 }, headline: 'Better than I feared', body: 'Gunfights.\n\n||He lives.||', status: 'draft', tags: ['Action'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const review = created.json();
    expect(created.headers.location).toBe(`/api/v1/reviews/${review.id}`);
    expect(review).toMatchObject({
      work: slug,
      author: { name: author.user.name },
      score: { value: 4.5, max: 5 },
      scoreText: '4.5 out of 5',
      rating: 90,
      hasSpoilers: true,
      status: 'draft',
      publishedAt: null,
    });

    // A draft: its author sees it; nobody else does, and it is in no listing.
    expect((await server.inject({ url: `/api/v1/reviews/${review.id}`, headers: author.auth })).json()).toMatchObject({ id: review.id, status: 'draft' });
    expect((await server.inject(`/api/v1/reviews/${review.id}`)).statusCode).toBe(404);
    const stranger = await account(db, 'author');
    expect((await server.inject({ url: `/api/v1/reviews/${review.id}`, headers: stranger.auth })).statusCode).toBe(404);
    const listed = async () => (await server.inject(`/api/v1/reviews?work=${slug}`)).json().items.map((r: { id: number }) => r.id);
    expect(await listed()).not.toContain(review.id);
    expect((await server.inject(`/api/v1/works/${slug}`)).json().score).toMatchObject({ reviewCount: 1, ratingCount: 1, mean: 80 });
    expect((await server.inject(`/api/v1/works/${slug}`)).json().tags.map((t: { name: string }) => t.name)).toContain('Action');

    // Published: listed, counted.
    const published = await server.inject({ method: 'PATCH', url: `/api/v1/reviews/${review.id}`, headers: author.auth, payload: { status: 'published' } });
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json().publishedAt).toEqual(expect.any(String));
    expect(await listed()).toContain(review.id);
    expect((await server.inject(`/api/v1/works/${slug}`)).json().score).toMatchObject({ reviewCount: 2, ratingCount: 2, mean: 85 });

    // An edit of the score keeps the earlier version and moves the aggregates.
    const edited = await server.inject({ method: 'PATCH', url: `/api/v1/reviews/${review.id}`, headers: author.auth, payload: { score: { value: 60, max: 100 } } });
    expect(edited.json()).toMatchObject({ score: { value: 60, max: 100 }, scoreText: '60 out of 100', rating: 60, headline: 'Better than I feared' });
    expect((await server.inject(`/api/v1/works/${slug}`)).json().score).toMatchObject({ reviewCount: 2, mean: 70 });
    const revisions = await db.kysely.selectFrom('reviewRevisions').selectAll().where('reviewId', '=', review.id).orderBy('id').execute();
    expect(revisions).toHaveLength(2);
    expect(JSON.parse(revisions[1]!.previous)).toMatchObject({ scoreValue: 4.5, scoreMax: 5, rating: 90, status: 'published' });
    expect(revisions[1]!.editedBy).toBe(author.user.id);

    // Published and searchable, then deleted: gone from everything; restored: back with its id.
    expect((await server.inject('/api/v1/reviews?q=gunfights')).json().items.map((r: { id: number }) => r.id)).toEqual([review.id]);
    const deleted = await server.inject({ method: 'DELETE', url: `/api/v1/reviews/${review.id}`, headers: author.auth });
    expect(deleted.statusCode).toBe(204);
    expect((await server.inject(`/api/v1/reviews/${review.id}`)).statusCode).toBe(404);
    expect(await listed()).not.toContain(review.id);
    expect((await server.inject('/api/v1/reviews?q=gunfights')).json().items).toEqual([]);
    expect((await server.inject(`/api/v1/works/${slug}`)).json().score).toMatchObject({ reviewCount: 1, mean: 80 });

    const restored = await server.inject({ method: 'POST', url: `/api/v1/reviews/${review.id}/restore`, headers: author.auth });
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.json()).toMatchObject({ id: review.id, rating: 60, status: 'published' });
    expect((await server.inject(`/api/v1/reviews/${review.id}`)).json().body).toBe('Gunfights.\n\n||He lives.||');
    expect((await server.inject('/api/v1/reviews?q=gunfights')).json().items.map((r: { id: number }) => r.id)).toEqual([review.id]);
    expect((await server.inject(`/api/v1/works/${slug}`)).json().score).toMatchObject({ reviewCount: 2, mean: 70 });
    expect(await db.kysely.selectFrom('reviewRevisions').select('id').where('reviewId', '=', review.id).execute()).toHaveLength(2);
    expect(await db.kysely.selectFrom('reviewRenders').select('reviewId').where('reviewId', '=', review.id).execute()).toHaveLength(1);
    // Restoring twice finds nothing to restore.
    expect((await server.inject({ method: 'POST', url: `/api/v1/reviews/${review.id}/restore`, headers: author.auth })).statusCode).toBe(404);
  });

  it('refuses a second review of the same work, naming the first, and invalid scores naming the field', async () => {
    const { db } = await fresh();
    const slug = await seedWork(db);
    const author = await account(db, 'author');
    const server = await start(db);
    const post = (payload: object) => server.inject({ method: 'POST', url: '/api/v1/reviews', headers: author.auth, payload });
    const first = await post({ work: slug, body: 'One.', status: 'published' });
    expect(first.statusCode).toBe(201);
    const second = await post({ work: slug, body: 'Two.' });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.message).toContain(`review ${first.json().id}`);
    for (const [score, field] of [
      [{ value: 4.3, max: 5 }, 'score.value'],
      [{ value: 6, max: 5 }, 'score.value'],
      [{ value: 7, max: 7 }, 'score.max'],
      [{ value: -1, max: 10 }, 'score.value'],
      [{ value: 7.25, max: 10 }, 'score.value'],
    ] as const) {
      const res = await server.inject({ method: 'PATCH', url: `/api/v1/reviews/${first.json().id}`, headers: author.auth, payload: { score } });
      expect(res.statusCode, JSON.stringify(score)).toBe(400);
      expect(res.json().error.message).toMatch(new RegExp(field.split('.')[1]!));
    }
    expect((await post({ work: 'no-such-work', body: 'x' })).json().error.message).toMatch(/^work: /);
  });

  it('refuses mass assignment, read-only tokens, missing tokens and other authors; lets editors moderate', async () => {
    const { db } = await fresh();
    const slug = await seedWork(db);
    const author = await account(db, 'author');
    const other = await account(db, 'author');
    const editor = await account(db, 'editor');
    const reader = await account(db, 'author', 'read');
    const server = await start(db);
    for (const field of ['author', 'role', 'id', 'rating', 'createdAt']) {
      const res = await server.inject({ method: 'POST', url: '/api/v1/reviews', headers: author.auth, payload: { work: slug, body: 'x', [field]: 1 } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'invalid_input' });
      expect(res.json().error.message).toContain(`'${field}'`);
    }
    const me = await server.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: author.auth, payload: { role: 'admin' } });
    expect(me.statusCode).toBe(400);
    expect(me.json().error.message).toContain("'role'");

    const payload = { work: slug, body: 'Mine.', status: 'published' };
    expect((await server.inject({ method: 'POST', url: '/api/v1/reviews', payload })).statusCode).toBe(401);
    expect((await server.inject({ method: 'POST', url: '/api/v1/reviews', headers: { authorization: 'Bearer kansou_nope' }, payload })).statusCode).toBe(401);
    expect((await server.inject({ method: 'POST', url: '/api/v1/reviews', headers: reader.auth, payload })).statusCode).toBe(403);
    const mine = (await server.inject({ method: 'POST', url: '/api/v1/reviews', headers: author.auth, payload })).json();
    expect(mine.author.name).toBe(author.user.name);

    const patch = { method: 'PATCH' as const, url: `/api/v1/reviews/${mine.id}`, payload: { headline: 'Edited' } };
    expect((await server.inject({ ...patch, headers: other.auth })).statusCode).toBe(403);
    expect((await server.inject({ method: 'DELETE', url: `/api/v1/reviews/${mine.id}`, headers: other.auth })).statusCode).toBe(403);
    const moderated = await server.inject({ ...patch, headers: editor.auth });
    expect(moderated.statusCode).toBe(200);
    expect(moderated.json()).toMatchObject({ headline: 'Edited', author: { name: author.user.name } });
    const audit = await db.kysely.selectFrom('auditEvents').selectAll().where('action', '=', 'review_edited').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: editor.user.id, subject: `review ${mine.id}` });

    // One's own profile, never one's role.
    const profile = await server.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: author.auth, payload: { reviewScale: 10 } });
    expect(profile.json()).toMatchObject({ id: author.user.id, role: 'author', reviewScale: 10 });
    expect((await server.inject({ url: '/api/v1/users/me', headers: reader.auth })).json()).toMatchObject({ id: reader.user.id, email: reader.user.email });
    expect((await server.inject('/api/v1/users/me')).statusCode).toBe(401);
  });

  it('replays a POST with the same Idempotency-Key and refuses the key for another request', async () => {
    const { db } = await fresh();
    const slug = await seedWork(db);
    const author = await account(db, 'author');
    const server = await start(db);
    const send = (payload: object) =>
      server.inject({ method: 'POST', url: '/api/v1/reviews', headers: { ...author.auth, 'idempotency-key': 'k-1' }, payload });
    const first = await send({ work: slug, body: 'Once.', status: 'published' });
    expect(first.statusCode).toBe(201);
    const again = await send({ work: slug, body: 'Once.', status: 'published' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.json()).toEqual(first.json());
    expect(first.headers['idempotency-replayed']).toBeUndefined();
    expect(await db.kysely.selectFrom('reviews').select('id').where('authorId', '=', author.user.authorId!).execute()).toHaveLength(1);
    const different = await send({ work: slug, body: 'Twice.' });
    expect(different.statusCode).toBe(409);
    expect(different.json().error.message).toMatch(/Idempotency-Key.*different request/);
  });

  it('refuses an oversized body with 413 and rate-limits with 429, RateLimit headers and Retry-After', async () => {
    const { db } = await fresh();
    const slug = await seedWork(db);
    const author = await account(db, 'author');
    const server = await start(db);
    const big = await server.inject({ method: 'POST', url: '/api/v1/reviews', headers: author.auth, payload: { work: slug, body: 'x'.repeat(600 * 1024) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('payload_too_large');

    const read = await server.inject({ url: `/api/v1/works/${slug}`, headers: author.auth });
    expect(read.headers['ratelimit-limit']).toBe(String(API_RATE_LIMITS.perToken.max));
    expect(Number(read.headers['ratelimit-remaining'])).toBe(API_RATE_LIMITS.perToken.max - 2);
    // Anonymous reads are not counted.
    expect((await server.inject(`/api/v1/works/${slug}`)).headers['ratelimit-limit']).toBeUndefined();

    const saved = { ...API_RATE_LIMITS.writesPerIp };
    API_RATE_LIMITS.writesPerIp.max = 2;
    await awayFromWindowEdge(API_RATE_LIMITS.writesPerIp.windowMs, 5_000);
    try {
      const patch = () => server.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: author.auth, payload: { reviewScale: 5 }, remoteAddress: '203.0.113.9' });
      expect((await patch()).statusCode).toBe(200);
      const last = await patch();
      expect(last.statusCode).toBe(200);
      expect(last.headers['ratelimit-remaining']).toBe('0');
      const refused = await patch();
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error.code).toBe('too_many_requests');
      expect(refused.headers['ratelimit-limit']).toBe('2');
      expect(refused.headers['ratelimit-remaining']).toBe('0');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['ratelimit-reset']).toBe(refused.headers['retry-after']);
    } finally {
      Object.assign(API_RATE_LIMITS.writesPerIp, saved);
    }
  });

  it('gives a review’s edit history to its author and to editors, newest first, and to nobody else', async () => {
    const { db } = await fresh();
    const slug = await seedWork(db);
    const author = await account(db, 'author');
    const other = await account(db, 'author');
    const editor = await account(db, 'editor');
    const reader = await account(db, 'reader', 'read');
    const server = await start(db);
    const created = await server.inject({ method: 'POST', url: '/api/v1/reviews', headers: author.auth, payload: { work: slug, headline: 'First', body: 'One.', score: { value: 3, max: 5 }, status: 'published' } });
    const id = created.json().id as number;
    await server.inject({ method: 'PATCH', url: `/api/v1/reviews/${id}`, headers: author.auth, payload: { headline: 'Second', body: 'Two.' } });
    await server.inject({ method: 'PATCH', url: `/api/v1/reviews/${id}`, headers: editor.auth, payload: { headline: 'Third' } });
    const history = await server.inject({ url: `/api/v1/reviews/${id}/revisions`, headers: author.auth });
    expect(history.statusCode).toBe(200);
    const items = history.json().items as { editedBy: number; previous: { headline: string; body: string; score: unknown } }[];
    expect(items.map((r) => [r.previous.headline, r.editedBy])).toEqual([
      ['Second', editor.user.id],
      ['First', author.user.id],
    ]);
    expect(items[1]!.previous).toMatchObject({ body: 'One.', score: { value: 3, max: 5 } });
    expect((await server.inject({ url: `/api/v1/reviews/${id}/revisions`, headers: editor.auth })).statusCode).toBe(200);
    expect((await server.inject({ url: `/api/v1/reviews/${id}/revisions`, headers: other.auth })).statusCode).toBe(403);
    expect((await server.inject({ url: `/api/v1/reviews/${id}/revisions`, headers: reader.auth })).statusCode).toBe(403);
    expect((await server.inject({ url: `/api/v1/reviews/${id}/revisions` })).statusCode).toBe(401);
  });

  it('round-trips hostile strings in headline and body exactly', async () => {
    const { db } = await fresh();
    const slug = await seedWork(db);
    const author = await account(db, 'author');
    const server = await start(db);
    const strings = naughtyStrings().filter((s) => s.trim() !== '' && s.length <= 300 && !s.includes('\u0000'));
    const created = await server.inject({ method: 'POST', url: '/api/v1/reviews', headers: author.auth, payload: { work: slug, body: 'start', status: 'published' } });
    const id = created.json().id;
    // A few dozen, evenly spread over the list, each as headline and body.
    const step = Math.max(1, Math.floor(strings.length / 40));
    for (let i = 0; i < strings.length; i += step) {
      const s = strings[i]!;
      const res = await server.inject({ method: 'PATCH', url: `/api/v1/reviews/${id}`, headers: author.auth, payload: { headline: s, body: s }, remoteAddress: `198.51.100.${i % 250}` });
      expect(res.statusCode, s).toBe(200);
      const got = (await server.inject(`/api/v1/reviews/${id}`)).json();
      expect(got.body).toBe(s);
      expect(got.headline).toBe(s);
    }
  });

  it('adds, edits and deletes works and names with their permissions', async () => {
    const { db } = await fresh();
    const slug = await seedWork(db);
    const author = await account(db, 'author');
    const editor = await account(db, 'editor');
    const admin = await account(db, 'admin');
    const server = await start(db);
    const dup = await server.inject({ method: 'POST', url: '/api/v1/works', headers: author.auth, payload: { title: 'HERO ≠ MASK', year: 2018 } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.message).toContain(slug);
    const made = await server.inject({
      method: 'POST',
      url: '/api/v1/works',
      headers: author.auth,
      payload: { title: 'Hero ≠ Mask', year: 2018, force: true, kind: 'anime_series', credits: [{ role: 'director', name: 'Hiroyasu Aoki' }], studios: ['Pierrot'], externalIds: { mal: '1' } },
    });
    expect(made.statusCode, made.body).toBe(201);
    const work = made.json();
    expect(work.slug).not.toBe(slug);
    expect(work).toMatchObject({ credits: [{ role: 'director', name: 'Hiroyasu Aoki' }], studios: [{ name: 'Pierrot' }], externalIds: { mal: '1' } });
    expect((await server.inject('/api/v1/works?q=aoki')).json().items.map((w: { slug: string }) => w.slug)).toEqual([work.slug]);

    const rename = { method: 'PATCH' as const, url: `/api/v1/works/${work.slug}`, payload: { title: 'Hero Mask (2)', tags: ['Thriller'] } };
    expect((await server.inject({ ...rename, headers: author.auth })).statusCode).toBe(403);
    const renamed = await server.inject({ ...rename, headers: editor.auth });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ slug: work.slug, title: 'Hero Mask (2)', tags: [{ name: 'Thriller' }], credits: [{ name: 'Hiroyasu Aoki' }] });

    const person = await server.inject({ method: 'POST', url: '/api/v1/people', headers: author.auth, payload: { name: 'HIROYASU AOKI' } });
    expect(person.statusCode).toBe(409);
    const studio = await server.inject({ method: 'PATCH', url: '/api/v1/studios/pierrot', headers: editor.auth, payload: { name: 'Studio Pierrot' } });
    expect(studio.json()).toMatchObject({ slug: 'pierrot', name: 'Studio Pierrot' });
    // The works naming it are found by its new name.
    expect((await server.inject('/api/v1/works?q=studio')).json().items.map((w: { slug: string }) => w.slug)).toEqual([work.slug]);
    expect((await server.inject({ method: 'DELETE', url: '/api/v1/studios/pierrot', headers: admin.auth })).statusCode).toBe(409);

    expect((await server.inject({ method: 'DELETE', url: `/api/v1/works/${slug}`, headers: admin.auth })).statusCode).toBe(409);
    expect((await server.inject({ method: 'DELETE', url: `/api/v1/works/${work.slug}`, headers: editor.auth })).statusCode).toBe(403);
    expect((await server.inject({ method: 'DELETE', url: `/api/v1/works/${work.slug}`, headers: admin.auth })).statusCode).toBe(204);
    expect((await server.inject(`/api/v1/works/${work.slug}`)).statusCode).toBe(404);
    expect((await server.inject('/api/v1/works?q=aoki')).json().items).toEqual([]);
    expect((await server.inject({ method: 'DELETE', url: '/api/v1/studios/pierrot', headers: admin.auth })).statusCode).toBe(204);
    expect(await db.kysely.selectFrom('auditEvents').select('action').where('action', 'in', ['work_deleted', 'name_deleted', 'work_edited', 'name_renamed']).execute()).toHaveLength(4);
  });
});
