import { describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { importParsedItem } from '../import/import.service.js';
import { makeItem } from '../../test/factories.js';
import { AppError } from '../shared/errors.js';
import * as accounts from './accounts.service.js';
import { hashPassword } from './passwords.js';
import type { Db } from '../db/connection.js';

const PASSWORD = 'correct horse battery';
const OPERATOR = { userId: null, ip: 'test' };

/** A clock the test moves by hand. */
function manualClock(start = '2026-06-01T12:00:00.000Z') {
  let t = Date.parse(start);
  const clock = () => new Date(t);
  clock.advance = (ms: number) => void (t += ms);
  return clock;
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

async function auditActions(db: Db) {
  return (await accounts.auditLog(db.kysely, { limit: 500 })).map((e) => e.action).reverse();
}

forEachDatabase((fresh) => {
  describe('accounts', () => {
    it('creates an account with a normalised address, refusing duplicates, weak passwords and taken author names', async () => {
      const { db } = await fresh();
      const ann = await accounts.createUser(db.kysely, { email: '  Ann@Example.ORG ', name: 'Ann  Critic', role: 'author', password: PASSWORD }, OPERATOR);
      expect(ann).toMatchObject({ email: 'ann@example.org', name: 'Ann Critic', role: 'author', disabledAt: null });
      expect(ann.passwordHash).toMatch(/^scrypt\$16384\$8\$5\$/);
      expect(ann.passwordHash).not.toContain(PASSWORD);

      const duplicate = await rejection(accounts.createUser(db.kysely, { email: 'ANN@example.org', name: 'Other', role: 'author', password: PASSWORD }, OPERATOR));
      expect(duplicate.code).toBe('conflict');
      expect(duplicate.message).toMatch(/^email: /);

      for (const [password, problem] of [
        ['short', /at least 8 characters/],
        ['password1', /most common passwords/],
        ['iloveyou', /most common passwords/],
        ['bob@example.org', /email address/],
      ] as const) {
        const error = await rejection(accounts.createUser(db.kysely, { email: 'bob@example.org', name: 'Bob', role: 'reader', password }, OPERATOR));
        expect(error.code).toBe('invalid_input');
        expect(error.message).toMatch(problem);
      }
      expect((await rejection(accounts.createUser(db.kysely, { email: 'not an address', name: 'Bob', role: 'reader', password: PASSWORD }, OPERATOR))).message).toMatch(/^email: /);
      expect((await rejection(accounts.createUser(db.kysely, { email: 'bob@example.org', name: 'Bob', role: 'owner' as never, password: PASSWORD }, OPERATOR))).message).toMatch(/^role: /);
      // Nothing of the refused attempts was written.
      expect((await accounts.listUsers(db.kysely)).map((u) => u.email)).toEqual(['ann@example.org']);

      // "Ann Critic" is an author now: sign-up under that name is refused, whatever its case.
      const taken = await rejection(accounts.createUser(db.kysely, { email: 'imposter@example.org', name: 'ANN CRITIC', role: 'author', password: PASSWORD }, OPERATOR));
      expect(taken.message).toMatch(/^name: .*already the name of an author/);
    });

    it('lets the operator claim the author their imported reviews are under, but never an author that has an account', async () => {
      const { db } = await fresh();
      await importParsedItem(db, makeItem({ title: 'Perfect Blue', year: 1997 }), { author: 'Aiko Tanaka', now: () => '2024-01-01T00:00:00.000Z' });
      const aiko = await accounts.createUser(db.kysely, { email: 'aiko@example.org', name: 'Aiko Tanaka', role: 'admin', password: PASSWORD, claimAuthor: true }, OPERATOR);
      const author = await db.kysely.selectFrom('authors').select(['id', 'name']).where('name', '=', 'Aiko Tanaka').execute();
      expect(author).toHaveLength(1);
      expect(aiko.authorId).toBe(author[0]!.id);
      const second = await rejection(accounts.createUser(db.kysely, { email: 'aiko2@example.org', name: 'Aiko Tanaka', role: 'author', password: PASSWORD, claimAuthor: true }, OPERATOR));
      expect(second.code).toBe('conflict');
    });

    it('signs in with the right password only, starting a new session each time, and upgrades an old hash', async () => {
      const { db } = await fresh();
      const user = await accounts.createUser(db.kysely, { email: 'ann@example.org', name: 'Ann', role: 'author', password: PASSWORD }, OPERATOR);
      const wrong = await rejection(accounts.signIn(db.kysely, { email: 'ann@example.org', password: 'wrong password', ip: '192.0.2.1' }));
      expect(wrong.code).toBe('unauthorized');
      const unknown = await rejection(accounts.signIn(db.kysely, { email: 'nobody@example.org', password: PASSWORD, ip: '192.0.2.1' }));
      // The same answer whether or not the account exists.
      expect(unknown.message).toBe(wrong.message);

      const first = await accounts.signIn(db.kysely, { email: 'ANN@example.org', password: PASSWORD, ip: '192.0.2.1' });
      expect(first.session).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const second = await accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '192.0.2.1', previousSession: first.session, device: first.device });
      expect(second.session).not.toBe(first.session);
      expect(second.device).toBe(first.device);
      // Rotated: the session the browser held before signing in again is over.
      expect(await accounts.resolveSession(db.kysely, first.session)).toBeUndefined();
      expect((await accounts.resolveSession(db.kysely, second.session))?.user.id).toBe(user.id);
      // Only hashes are stored.
      const stored = await db.kysely.selectFrom('sessions').select('tokenHash').execute();
      expect(stored.map((s) => s.tokenHash)).not.toContain(second.session);

      // A hash made with weaker parameters is replaced at the next sign-in.
      await db.kysely.updateTable('users').set({ passwordHash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }) }).where('id', '=', user.id).execute();
      await accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '192.0.2.1' });
      expect((await accounts.userById(db.kysely, user.id)).passwordHash).toMatch(/^scrypt\$16384\$8\$5\$/);

      const actions = await auditActions(db);
      expect(actions.filter((a) => a === 'sign_in_failed')).toHaveLength(2);
      expect(actions.filter((a) => a === 'sign_in')).toHaveLength(3);
    });

    it('refuses an address after 10 failures a minute, even with the right password, without holding back other addresses', async () => {
      const { db } = await fresh();
      await accounts.createUser(db.kysely, { email: 'ann@example.org', name: 'Ann', role: 'author', password: PASSWORD }, OPERATOR);
      const clock = manualClock();
      for (let i = 0; i < 10; i++) {
        expect((await rejection(accounts.signIn(db.kysely, { email: 'ann@example.org', password: `guess ${i}`, ip: '203.0.113.9' }, clock))).code).toBe('unauthorized');
      }
      const failuresBefore = (await auditActions(db)).length;
      const refused = await rejection(accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '203.0.113.9' }, clock));
      expect(refused.code).toBe('too_many_requests');
      expect(refused.retryAfter).toBeGreaterThan(0);
      expect(refused.retryAfter).toBeLessThanOrEqual(60);
      // Refused before the password was looked at: no failure recorded for it.
      expect((await auditActions(db)).length).toBe(failuresBefore);
      // The owner at another address is not held back.
      await accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '198.51.100.7' }, clock);
      // After the window the address may try again.
      clock.advance(61_000);
      await accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '203.0.113.9' }, clock);
    });

    it('counts guesses sent all at once before checking any: ten are checked, the rest refused', async () => {
      const { db } = await fresh();
      await accounts.createUser(db.kysely, { email: 'ann@example.org', name: 'Ann', role: 'author', password: PASSWORD }, OPERATOR);
      const clock = manualClock();
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => rejection(accounts.signIn(db.kysely, { email: 'ann@example.org', password: `guess ${i}`, ip: '203.0.113.9' }, clock))),
      );
      const codes = outcomes.map((e) => e.code).sort();
      expect(codes.filter((c) => c === 'unauthorized')).toHaveLength(10);
      expect(codes.filter((c) => c === 'too_many_requests')).toHaveLength(10);
      // A right password from the same address now waits for the window, like any other attempt.
      expect((await rejection(accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '203.0.113.9' }, clock))).code).toBe('too_many_requests');
    });

    it('does not count sign-ins that succeed', async () => {
      const { db } = await fresh();
      await accounts.createUser(db.kysely, { email: 'ann@example.org', name: 'Ann', role: 'author', password: PASSWORD }, OPERATOR);
      const clock = manualClock();
      for (let i = 0; i < 15; i++) await accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '198.51.100.7' }, clock);
      for (let i = 0; i < 9; i++) await rejection(accounts.signIn(db.kysely, { email: 'ann@example.org', password: 'nope nope', ip: '198.51.100.7' }, clock));
      await accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '198.51.100.7' }, clock);
    });

    it('locks an account after 25 failures an hour from anywhere, except for a browser that signed in to it before', async () => {
      const { db } = await fresh();
      await accounts.createUser(db.kysely, { email: 'ann@example.org', name: 'Ann', role: 'author', password: PASSWORD }, OPERATOR);
      const clock = manualClock();
      const owner = await accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '198.51.100.7' }, clock);
      for (let i = 0; i < 25; i++) {
        await rejection(accounts.signIn(db.kysely, { email: 'ann@example.org', password: `guess ${i}`, ip: `203.0.113.${i}` }, clock));
      }
      expect((await rejection(accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '203.0.113.200' }, clock))).code).toBe('too_many_requests');
      // A browser with the account's device cookie still gets in.
      await accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '198.51.100.7', device: owner.device }, clock);
      // Another account's device cookie does not help.
      await accounts.createUser(db.kysely, { email: 'ben@example.org', name: 'Ben', role: 'author', password: PASSWORD }, OPERATOR);
      const ben = await accounts.signIn(db.kysely, { email: 'ben@example.org', password: PASSWORD, ip: '198.51.100.8' }, clock);
      expect((await rejection(accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '198.51.100.8', device: ben.device }, clock))).code).toBe('too_many_requests');
      clock.advance(3_600_000);
      await accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '203.0.113.200' }, clock);
      expect((await auditActions(db)).filter((a) => a === 'sign_in_failed')).toHaveLength(25);
    });

    it('ends sessions when idle for a week, a month after sign-in, on sign-out, on a password change and when the account is disabled', async () => {
      const { db } = await fresh();
      const admin = await accounts.createUser(db.kysely, { email: 'admin@example.org', name: 'Admin', role: 'admin', password: PASSWORD }, OPERATOR);
      const user = await accounts.createUser(db.kysely, { email: 'ann@example.org', name: 'Ann', role: 'author', password: PASSWORD }, OPERATOR);
      const clock = manualClock();
      const signIn = () => accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '192.0.2.1' }, clock);

      const idle = await signIn();
      clock.advance(6 * 86_400_000);
      expect(await accounts.resolveSession(db.kysely, idle.session, clock)).toBeDefined();
      clock.advance(6 * 86_400_000);
      expect(await accounts.resolveSession(db.kysely, idle.session, clock)).toBeDefined();
      clock.advance(7 * 86_400_000 + 1000);
      expect(await accounts.resolveSession(db.kysely, idle.session, clock)).toBeUndefined();

      const busy = await signIn();
      for (let day = 0; day < 29; day++) {
        clock.advance(86_400_000);
        expect(await accounts.resolveSession(db.kysely, busy.session, clock)).toBeDefined();
      }
      clock.advance(86_400_000 + 1000);
      expect(await accounts.resolveSession(db.kysely, busy.session, clock)).toBeUndefined();

      const a = await signIn();
      const b = await signIn();
      const c = await signIn();
      await accounts.signOut(db.kysely, a.session, { userId: user.id }, clock);
      expect(await accounts.resolveSession(db.kysely, a.session, clock)).toBeUndefined();
      await accounts.setPassword(db.kysely, user.id, 'a whole new passphrase', { userId: user.id }, { keepSession: b.session }, clock);
      expect(await accounts.resolveSession(db.kysely, b.session, clock)).toBeDefined();
      expect(await accounts.resolveSession(db.kysely, c.session, clock)).toBeUndefined();
      expect((await rejection(accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '192.0.2.2' }, clock))).code).toBe('unauthorized');

      await accounts.setDisabled(db.kysely, user.id, true, { userId: admin.id }, clock);
      expect(await accounts.resolveSession(db.kysely, b.session, clock)).toBeUndefined();
      expect((await rejection(accounts.signIn(db.kysely, { email: 'ann@example.org', password: 'a whole new passphrase', ip: '192.0.2.2' }, clock))).code).toBe('unauthorized');
    });

    it('keeps at least one admin, and nobody changes their own role', async () => {
      const { db } = await fresh();
      const admin = await accounts.createUser(db.kysely, { email: 'admin@example.org', name: 'Admin', role: 'admin', password: PASSWORD }, OPERATOR);
      expect((await rejection(accounts.setRole(db.kysely, admin.id, 'author', OPERATOR))).message).toMatch(/only admin/);
      expect((await rejection(accounts.setDisabled(db.kysely, admin.id, true, OPERATOR))).message).toMatch(/only admin/);
      expect((await rejection(accounts.setRole(db.kysely, admin.id, 'reader', { userId: admin.id }))).code).toBe('forbidden');
      const ed = await accounts.createUser(db.kysely, { email: 'ed@example.org', name: 'Ed', role: 'author', password: PASSWORD }, OPERATOR);
      expect((await accounts.setRole(db.kysely, ed.id, 'editor', { userId: admin.id })).role).toBe('editor');
      const events = await accounts.auditLog(db.kysely, { action: 'role_changed' });
      expect(events).toHaveLength(1);
      expect(JSON.parse(events[0]!.detail)).toEqual({ from: 'author', to: 'editor' });
      expect(events[0]!.actorEmail).toBe('admin@example.org');
    });

    it('gives API tokens once, stores them hashed, and stops them when revoked or when the account is disabled', async () => {
      const { db } = await fresh();
      const admin = await accounts.createUser(db.kysely, { email: 'admin@example.org', name: 'Admin', role: 'admin', password: PASSWORD }, OPERATOR);
      const ann = await accounts.createUser(db.kysely, { email: 'ann@example.org', name: 'Ann', role: 'author', password: PASSWORD }, OPERATOR);
      const read = await accounts.createApiToken(db.kysely, ann.id, { name: 'feed reader', scope: 'read' }, { userId: ann.id });
      const write = await accounts.createApiToken(db.kysely, ann.id, { name: 'blog sync', scope: 'write' }, { userId: ann.id });
      expect(write.token).toMatch(/^kansou_/);
      expect((await accounts.resolveApiToken(db.kysely, read.token))).toMatchObject({ scope: 'read', user: { id: ann.id } });
      expect(await accounts.resolveApiToken(db.kysely, `${write.token}x`)).toBeUndefined();
      expect((await accounts.listApiTokens(db.kysely, ann.id)).map((t) => t.name)).toEqual(['feed reader', 'blog sync']);
      expect(JSON.stringify(await db.kysely.selectFrom('apiTokens').selectAll().execute())).not.toContain(write.token.slice(7));
      expect((await rejection(accounts.createApiToken(db.kysely, ann.id, { name: 'x', scope: 'admin' }, { userId: ann.id }))).message).toMatch(/^scope: /);

      await accounts.revokeApiToken(db.kysely, ann.id, read.id, { userId: ann.id });
      expect(await accounts.resolveApiToken(db.kysely, read.token)).toBeUndefined();
      // Someone else's token cannot be revoked by guessing its id.
      expect((await rejection(accounts.revokeApiToken(db.kysely, admin.id, write.id, { userId: admin.id }))).code).toBe('not_found');
      await accounts.setDisabled(db.kysely, ann.id, true, { userId: admin.id });
      expect(await accounts.resolveApiToken(db.kysely, write.token)).toBeUndefined();
    });

    it('makes accounts from invitations once, and a setup link only while there is no admin', async () => {
      const { db } = await fresh();
      const clock = manualClock();
      const setup = await accounts.setupLink(db.kysely, clock);
      expect(setup).toBeDefined();
      expect(await accounts.inviteRole(db.kysely, setup!, clock)).toBe('admin');
      // A restart makes a new link; the old one stops working.
      const again = await accounts.setupLink(db.kysely, clock);
      expect(await accounts.inviteRole(db.kysely, setup!, clock)).toBeUndefined();
      const admin = await accounts.acceptInvite(db.kysely, again!, { email: 'root@example.org', name: 'Root', password: PASSWORD }, '192.0.2.1', clock);
      expect(admin.role).toBe('admin');
      expect(await accounts.setupLink(db.kysely, clock)).toBeUndefined();
      expect((await rejection(accounts.acceptInvite(db.kysely, again!, { email: 'second@example.org', name: 'Second', password: PASSWORD }, null, clock))).code).toBe('not_found');

      const invite = await accounts.createInvite(db.kysely, 'editor', { userId: admin.id }, clock);
      clock.advance(8 * 86_400_000);
      expect((await rejection(accounts.acceptInvite(db.kysely, invite.token, { email: 'late@example.org', name: 'Late', password: PASSWORD }, null, clock))).code).toBe('not_found');
      expect((await accounts.listUsers(db.kysely)).map((u) => u.email)).toEqual(['root@example.org']);
    });

    it('opens sign-up only when the setting says so; it makes authors', async () => {
      const { db } = await fresh();
      expect(await accounts.signupMode(db.kysely)).toBe('closed');
      const input = { email: 'new@example.org', name: 'Newcomer', password: PASSWORD };
      expect((await rejection(accounts.signUp(db.kysely, input, null))).code).toBe('forbidden');
      await accounts.setSignupMode(db.kysely, 'invite', OPERATOR);
      expect((await rejection(accounts.signUp(db.kysely, input, null))).code).toBe('forbidden');
      await accounts.setSignupMode(db.kysely, 'open', OPERATOR);
      expect((await accounts.signUp(db.kysely, input, null)).role).toBe('author');
      expect((await rejection(accounts.setSignupMode(db.kysely, 'everyone', OPERATOR))).message).toMatch(/^signup: /);
    });

    it('lets a user rename themselves, which renames their author, and prunes what has expired', async () => {
      const { db } = await fresh();
      const ann = await accounts.createUser(db.kysely, { email: 'ann@example.org', name: 'Ann', role: 'author', password: PASSWORD }, OPERATOR);
      await accounts.createUser(db.kysely, { email: 'ben@example.org', name: 'Ben', role: 'author', password: PASSWORD }, OPERATOR);
      const renamed = await accounts.updateProfile(db.kysely, ann.id, { name: 'Ann Critic', reviewScale: 10 });
      expect(renamed).toMatchObject({ name: 'Ann Critic', reviewScale: 10, role: 'author' });
      expect((await db.kysely.selectFrom('authors').select('name').where('id', '=', ann.authorId!).executeTakeFirstOrThrow()).name).toBe('Ann Critic');
      expect((await rejection(accounts.updateProfile(db.kysely, ann.id, { name: 'ben' }))).code).toBe('conflict');
      expect((await rejection(accounts.updateProfile(db.kysely, ann.id, { reviewScale: 7 }))).message).toMatch(/^reviewScale: /);

      const clock = manualClock();
      await accounts.signIn(db.kysely, { email: 'ann@example.org', password: PASSWORD, ip: '192.0.2.1' }, clock);
      await rejection(accounts.signIn(db.kysely, { email: 'ann@example.org', password: 'nope nope', ip: '192.0.2.1' }, clock));
      clock.advance(40 * 86_400_000);
      const pruned = await accounts.pruneExpired(db.kysely, clock);
      expect(pruned.sessions).toBe(1);
      expect(pruned.throttles).toBe(2);
      expect(await db.kysely.selectFrom('throttles').selectAll().execute()).toEqual([]);
    });
  });
});
