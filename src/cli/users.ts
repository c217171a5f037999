/**
 * `kansou user …`, `kansou token create` and `kansou signup`: accounts from the command line,
 * for the operator. Passwords are read from standard input (typed without echo on a terminal,
 * or the first line of a pipe), never from an argument, which other users of the machine could
 * see in the process list and which the shell keeps in its history.
 */
import { Command, Option } from 'commander';
import type { Config } from '../config.js';
import type { Actor } from '../accounts/accounts.service.js';
import { ROLES, SIGNUP_MODES } from '../accounts/permissions.js';
import { AppError } from '../shared/errors.js';
import { withDb } from './common.js';

// Accounts (and the password checker's dictionaries) load only for these commands, not for every `kansou` run.
const loadAccounts = () => import('../accounts/accounts.service.js');

const OPERATOR: Actor = { userId: null, ip: 'command line' };

/** The password typed at a hidden prompt, or the first line of standard input when it is not a terminal. */
export async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) {
      text += String(chunk);
      if (text.includes('\n')) break;
    }
    return text.split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (keys: string) => {
        for (const key of keys) {
          if (key === '\r' || key === '\n') {
            stdin.off('data', onData);
            process.stderr.write('\n');
            return resolve(typed);
          }
          if (key === '\u0003') {
            stdin.off('data', onData);
            process.stderr.write('\n');
            return reject(new AppError('invalid_input', 'cancelled'));
          }
          if (key === '\u007f' || key === '\b') typed = [...typed].slice(0, -1).join('');
          else if (key >= ' ') typed += key;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

async function newPassword(email: string): Promise<string> {
  const password = await readPassword(`Password for ${email}: `);
  if (!password) throw new AppError('invalid_input', 'password: none given (type it at the prompt, or pipe it on standard input)');
  (await loadAccounts()).checkNewPassword(password, email);
  if (process.stdin.isTTY && (await readPassword('Again: ')) !== password) throw new AppError('invalid_input', 'password: the two entries differ');
  return password;
}

const ROLE_OPTION = () => new Option('--role <role>', 'admin, editor, author or reader').choices(ROLES as string[]);

export function registerUserCommands(program: Command, config: () => Config): void {
  const user = program.command('user').description('manage accounts (see docs/accounts.md)');

  user
    .command('add')
    .description('create an account; the password is read from standard input')
    .argument('<email>')
    .requiredOption('--name <name>', 'display name (also the author name reviews are shown under)')
    .addOption(ROLE_OPTION().default('author'))
    .action(async (email: string, options: { name: string; role: string }) => {
      const accounts = await loadAccounts();
      const normalised = accounts.normaliseEmail(email);
      accounts.checkDisplayName(options.name);
      const password = await newPassword(normalised);
      await withDb(config(), async (db) => {
        const created = await accounts.createUser(db.kysely, { email: normalised, name: options.name, role: accounts.checkRole(options.role), password, claimAuthor: true }, OPERATOR);
        process.stderr.write(`created ${created.role} ${created.email} ("${created.name}")\n`);
      });
    });

  user
    .command('set-password')
    .description('set a new password (read from standard input) and sign the account out everywhere')
    .argument('<email>')
    .action(async (email: string) => {
      const accounts = await loadAccounts();
      await withDb(config(), async (db) => {
        const target = await accounts.userByEmail(db.kysely, email);
        const password = await newPassword(target.email);
        await accounts.setPassword(db.kysely, target.id, password, OPERATOR);
        process.stderr.write(`password of ${target.email} changed; every session of it has ended\n`);
      });
    });

  user
    .command('list')
    .description('list the accounts')
    .option('--json', 'as JSON')
    .action(async (options: { json?: boolean }) => {
      const accounts = await loadAccounts();
      await withDb(config(), async (db) => {
        const users = (await accounts.listUsers(db.kysely)).map(accounts.publicUser);
        if (options.json) return void process.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
        for (const u of users) process.stdout.write(`${u.email}\t${u.role}${u.disabled ? '\tdisabled' : ''}\t${u.name}\n`);
        if (users.length === 0) process.stderr.write('no accounts yet: kansou user add EMAIL --name NAME --role admin\n');
      });
    });

  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    user
      .command(name)
      .description(disabled ? 'stop an account from signing in; its sessions and tokens stop working at once' : 'let a disabled account sign in again')
      .argument('<email>')
      .action(async (email: string) => {
        const accounts = await loadAccounts();
        await withDb(config(), async (db) => {
          const target = await accounts.userByEmail(db.kysely, email);
          await accounts.setDisabled(db.kysely, target.id, disabled, OPERATOR);
          process.stderr.write(`${target.email} ${disabled ? 'disabled' : 'enabled'}\n`);
        });
      });
  }

  user
    .command('set-role')
    .description('change the role of an account')
    .argument('<email>')
    .argument('<role>', 'admin, editor, author or reader')
    .action(async (email: string, role: string) => {
      const accounts = await loadAccounts();
      await withDb(config(), async (db) => {
        const target = await accounts.userByEmail(db.kysely, email);
        const changed = await accounts.setRole(db.kysely, target.id, role, OPERATOR);
        process.stderr.write(`${changed.email} is now ${changed.role}\n`);
      });
    });

  user
    .command('invite')
    .description('print a one-time link (valid 7 days) that creates an account with the role')
    .addOption(ROLE_OPTION().default('author'))
    .action(async (options: { role: string }) => {
      const accounts = await loadAccounts();
      const c = config();
      await withDb(c, async (db) => {
        const { token, expiresAt } = await accounts.createInvite(db.kysely, options.role, OPERATOR);
        process.stdout.write(`${c.publicUrl}/invite/${token}\n`);
        process.stderr.write(`one ${options.role} account, until ${expiresAt}\n`);
      });
    });

  program
    .command('token')
    .description('API tokens')
    .command('create')
    .description('print a new API token of the account (shown once; see docs/api.md)')
    .argument('<email>')
    .addOption(new Option('--scope <scope>', 'read, or write (which also reads)').choices(['read', 'write']).default('read'))
    .option('--name <name>', 'what the token is for', 'command line')
    .action(async (email: string, options: { scope: string; name: string }) => {
      const accounts = await loadAccounts();
      await withDb(config(), async (db) => {
        const target = await accounts.userByEmail(db.kysely, email);
        const { token, id } = await accounts.createApiToken(db.kysely, target.id, { name: options.name, scope: options.scope }, OPERATOR);
        process.stdout.write(`${token}\n`);
        process.stderr.write(`token ${id} (${options.scope}) for ${target.email}; it is not shown again\n`);
      });
    });

  program
    .command('signup')
    .description('show or set who may create an account: closed (default), invite (by invitation link) or open')
    .addArgument(new Command().createArgument('[mode]', 'closed, invite or open').choices(SIGNUP_MODES as string[]))
    .action(async (mode?: string) => {
      const accounts = await loadAccounts();
      await withDb(config(), async (db) => {
        if (mode) await accounts.setSignupMode(db.kysely, mode, OPERATOR);
        process.stdout.write(`${await accounts.signupMode(db.kysely)}\n`);
      });
    });
}
