import { expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { runCli, startCli } from '../../test/cli.js';
import * as accounts from '../accounts/accounts.service.js';

forEachDatabase((fresh) => {
  it('adds accounts with the password from standard input, lists, disables and re-roles them, and prints tokens', async () => {
    const { db, url } = await fresh();
    const env = { DATABASE_URL: url };

    const added = await runCli(['user', 'add', 'Root@Example.org', '--name', 'Site Owner', '--role', 'admin'], env, 'a long passphrase\n');
    expect(added.stderr).toContain('created admin root@example.org ("Site Owner")');
    expect(added.code).toBe(0);
    // The password from standard input is the one that signs in.
    await accounts.signIn(db.kysely, { email: 'root@example.org', password: 'a long passphrase', ip: '192.0.2.1' });

    const weak = await runCli(['user', 'add', 'ann@example.org', '--name', 'Ann'], env, 'password\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('password: is one of the most common passwords');
    const none = await runCli(['user', 'add', 'ann@example.org', '--name', 'Ann'], env, '');
    expect(none.stderr).toContain('password: none given');
    const badRole = await runCli(['user', 'add', 'ann@example.org', '--name', 'Ann', '--role', 'owner'], env, 'a long passphrase\n');
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toMatch(/owner.*(admin, editor, author, reader|Allowed choices)/s);
    expect((await accounts.listUsers(db.kysely)).map((u) => u.email)).toEqual(['root@example.org']);

    expect((await runCli(['user', 'add', 'ann@example.org', '--name', 'Ann'], env, 'another passphrase\n')).code).toBe(0);
    const list = await runCli(['user', 'list'], env);
    expect(list.stdout).toBe('root@example.org\tadmin\tSite Owner\nann@example.org\tauthor\tAnn\n');
    const json = JSON.parse((await runCli(['user', 'list', '--json'], env)).stdout) as { email: string; role: string; disabled: boolean }[];
    expect(json.map((u) => [u.email, u.role, u.disabled])).toEqual([['root@example.org', 'admin', false], ['ann@example.org', 'author', false]]);
    expect(JSON.stringify(json)).not.toContain('scrypt');

    expect((await runCli(['user', 'set-role', 'ann@example.org', 'editor'], env)).stderr).toContain('ann@example.org is now editor');
    const session = await accounts.signIn(db.kysely, { email: 'ann@example.org', password: 'another passphrase', ip: '192.0.2.1' });
    expect((await runCli(['user', 'set-password', 'ann@example.org'], env, 'third passphrase here\n')).code).toBe(0);
    expect(await accounts.resolveSession(db.kysely, session.session)).toBeUndefined();
    await accounts.signIn(db.kysely, { email: 'ann@example.org', password: 'third passphrase here', ip: '192.0.2.1' });

    const token = await runCli(['token', 'create', 'ann@example.org', '--scope', 'write', '--name', 'sync'], env);
    expect(token.stdout).toMatch(/^kansou_[A-Za-z0-9_-]{43}\n$/);
    expect((await accounts.resolveApiToken(db.kysely, token.stdout.trim()))?.scope).toBe('write');

    expect((await runCli(['user', 'disable', 'ann@example.org'], env)).stderr).toContain('ann@example.org disabled');
    expect(await accounts.resolveApiToken(db.kysely, token.stdout.trim())).toBeUndefined();
    expect((await runCli(['user', 'list'], env)).stdout).toContain('ann@example.org\teditor\tdisabled\tAnn');
    // The last admin stays.
    const last = await runCli(['user', 'disable', 'root@example.org'], env);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('only admin');
    expect((await runCli(['user', 'disable', 'nobody@example.org'], env)).stderr).toContain('An account with nobody@example.org was not found');

    expect((await runCli(['signup'], env)).stdout).toBe('closed\n');
    expect((await runCli(['signup', 'open'], env)).stdout).toBe('open\n');
    expect(await accounts.signupMode(db.kysely)).toBe('open');

    const invite = await runCli(['user', 'invite', '--role', 'reader'], { ...env, KANSOU_PUBLIC_URL: 'https://reviews.example.org' });
    const link = invite.stdout.trim();
    expect(link).toMatch(/^https:\/\/reviews\.example\.org\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(await accounts.inviteRole(db.kysely, link.split('/').pop()!)).toBe('reader');

    const actions = (await accounts.auditLog(db.kysely, {})).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user_created', 'role_changed', 'password_changed', 'token_created', 'user_disabled', 'signup_mode_changed', 'invite_created']));
  });

  it('prints a one-time setup link on start while there is no admin, and none once there is one', async () => {
    const { db, url } = await fresh();
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const env = { DATABASE_URL: url, PORT: port, KANSOU_PUBLIC_URL: 'https://reviews.example.org' };
    const server = startCli(['serve'], env);
    try {
      await server.waitFor('/invite/');
    } finally {
      await server.stop();
    }
    const token = /https:\/\/reviews\.example\.org\/invite\/([A-Za-z0-9_-]{43})/.exec(server.output())![1]!;
    expect(await accounts.inviteRole(db.kysely, token)).toBe('admin');
    await accounts.acceptInvite(db.kysely, token, { email: 'root@example.org', name: 'Root', password: 'a long passphrase' }, null);

    const again = startCli(['serve'], { ...env, LOG_LEVEL: 'info' });
    try {
      await again.waitFor('Server listening');
    } finally {
      await again.stop();
    }
    expect(again.output()).not.toContain('/invite/');
  });
});
