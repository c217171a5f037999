/**
 * The pages of the signed-in part of the site: the sign-in form, the account page (profile,
 * password, sessions, API tokens), invitations and sign-up, and the admin pages (users,
 * invitations, the sign-up setting, the audit log).
 *
 * Every page is `noindex` and private. A form that failed comes back with each message next
 * to its field (and the rest above the form) and what was typed kept, passwords excepted.
 * No inline script or style: the Content-Security-Policy forbids them, and nothing here needs
 * JavaScript.
 */
import type { ComponentChildren } from 'preact';
import { can } from './permissions.js';
import { EXPORT_FORMATS, exportUrl } from '../exports/exports.routes.js';
import type { Role } from '../db/schema.js';
import type { Site } from '../site/site.context.js';
import { Csrf, Notice, Private as PrivatePage } from '../site/private.js';
import { DateText } from '../site/components.js';
import { AppError } from '../shared/errors.js';
import { urls } from '../shared/urls.js';
import type { UserRow } from './accounts.repository.js';
import { ROLES, SIGNUP_MODES, type SignupMode } from './accounts.service.js';

export const accountUrls = {
  login: urls.login,
  logout: () => '/logout',
  account: () => '/account',
  profile: () => '/account/profile',
  password: () => '/account/password',
  endOtherSessions: () => '/account/sessions/end-others',
  endSession: () => '/account/sessions/end',
  tokens: () => '/account/tokens',
  revokeToken: (id: number) => `/account/tokens/${id}/revoke`,
  invite: (token: string) => `/invite/${token}`,
  signup: () => '/signup',
  adminUsers: () => '/admin/users',
  userRole: (id: number) => `/admin/users/${id}/role`,
  userDisable: (id: number) => `/admin/users/${id}/disable`,
  userEnable: (id: number) => `/admin/users/${id}/enable`,
  adminInvites: () => '/admin/invites',
  signupSetting: () => '/admin/settings/signup',
  audit: (before?: number) => (before === undefined ? '/admin/audit' : `/admin/audit?before=${before}`),
};

// ---- forms: values, errors and fields

/** Messages by field name; `form` holds what belongs to no one field. */
export type FieldErrors = Record<string, string>;

export interface FormState {
  values: Record<string, string>;
  errors: FieldErrors;
}

const emptyForm = (): FormState => ({ values: {}, errors: {} });

const sentence = (text: string) => {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

/**
 * The messages of an error a form can show: `invalid_input` and `conflict` errors whose
 * message starts with one of `fields` ("password: must be…") go next to that field, the rest
 * of those (and `extra` codes) above the form. Anything else is not the form's to show
 * (undefined: the caller rethrows it).
 */
export function formErrors(error: unknown, fields: readonly string[], extra: readonly string[] = []): { errors: FieldErrors; status: number } | undefined {
  if (!(error instanceof AppError)) return undefined;
  if (error.code !== 'invalid_input' && error.code !== 'conflict' && !extra.includes(error.code)) return undefined;
  const match = /^([A-Za-z_]+): ([\s\S]+)$/.exec(error.message);
  if (match && fields.includes(match[1]!)) return { errors: { [match[1]!]: sentence(match[2]!) }, status: error.status };
  return { errors: { form: sentence(error.message) }, status: error.status };
}

/** What went wrong, above the form; the messages of single fields stay next to them. */
function ErrorSummary({ errors, saved = 'nothing was saved' }: { errors: FieldErrors; saved?: string }) {
  const count = Object.keys(errors).length;
  if (count === 0) return null;
  const fieldCount = count - (errors.form ? 1 : 0);
  return (
    <div class="form-errors" role="alert">
      {errors.form && <p>{errors.form}</p>}
      {fieldCount > 0 && (
        <p>
          <strong>{fieldCount === 1 ? 'One field needs fixing' : `${fieldCount} fields need fixing`}</strong> ({saved}).
        </p>
      )}
    </div>
  );
}

interface FieldProps {
  /** Unique on the page: the form's name. */
  form: string;
  name: string;
  label: string;
  state: FormState;
  type?: 'text' | 'email' | 'password';
  autoComplete?: string;
  hint?: string;
  required?: boolean;
  maxLength?: number;
  /** Passwords are never sent back. */
  keep?: boolean;
}

function Field({ form, name, label, state, type = 'text', autoComplete, hint, required, maxLength, keep = type !== 'password' }: FieldProps) {
  const id = `${form}-${name}`;
  const error = state.errors[name];
  const described = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <input
        id={id}
        name={name}
        type={type}
        value={keep ? (state.values[name] ?? '') : ''}
        autoComplete={autoComplete}
        required={required}
        maxLength={maxLength}
        spellcheck={type === 'email' || type === 'password' ? false : undefined}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

function SelectField({ form, name, label, state, options, hint }: { form: string; name: string; label: string; state: FormState; options: [value: string, label: string][]; hint?: string }) {
  const id = `${form}-${name}`;
  const error = state.errors[name];
  const described = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <select id={id} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={described || undefined}>
        {options.map(([value, text]) => (
          <option value={value} selected={state.values[name] === value}>
            {text}
          </option>
        ))}
      </select>
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A wide table scrolls sideways in its own box, which the keyboard can reach and scroll. */
function ScrollTable({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

function Private({ site, title, path, children, wide }: { site: Site; title: string; path: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <PrivatePage site={site} title={title} path={path} class={wide ? 'page-narrow account-page admin-page' : 'page-narrow account-page'}>
      {children}
    </PrivatePage>
  );
}

function SignOutButton({ csrf }: { csrf: string }) {
  return (
    <form method="post" action={accountUrls.logout()} class="inline-form">
      <Csrf token={csrf} />
      <button type="submit" class="secondary">
        Sign out
      </button>
    </form>
  );
}

export const ROLE_NAMES: Record<Role, string> = { admin: 'Admin', editor: 'Editor', author: 'Author', reader: 'Reader' };
const ROLE_OPTIONS = ROLES.map((r) => [r, ROLE_NAMES[r]] as [string, string]);
const withArticle = (role: Role) => (role === 'admin' || role === 'editor' || role === 'author' ? `an ${role}` : `a ${role}`);

/** What each sign-up setting means, as the admin page offers them. */
export const SIGNUP_LABELS: Record<SignupMode, string> = {
  closed: 'Closed: only admins add people (from the command line)',
  invite: 'By invitation: people join through a link an admin makes',
  open: 'Open: anyone may create an author account at /signup',
};

// ---- signing in

export function loginPage(site: Site, data: { state?: FormState; next?: string }) {
  const state = data.state ?? emptyForm();
  return (
    <Private site={site} title="Sign in" path={accountUrls.login()}>
      <h1>Sign in</h1>
      <ErrorSummary errors={state.errors} saved="you are not signed in" />
      <form method="post" action={accountUrls.login()} class="account-form" noValidate>
        {data.next && <input type="hidden" name="next" value={data.next} />}
        <Field form="login" name="email" label="Email" type="email" autoComplete="email" state={state} required maxLength={254} />
        <Field form="login" name="password" label="Password" type="password" autoComplete="current-password" state={state} required />
        <div class="form-actions">
          <button type="submit" class="primary">
            Sign in
          </button>
        </div>
      </form>
    </Private>
  );
}

// ---- the account page

export interface SessionInfo {
  current: boolean;
  /** Names the session in the form that ends it (`sessionReference`). */
  reference: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
}

export interface TokenInfo {
  id: number;
  name: string;
  scope: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface AccountData {
  user: UserRow;
  csrf: string;
  isAdmin: boolean;
  sessions: SessionInfo[];
  tokens: TokenInfo[];
  notice?: string;
  profile?: FormState;
  password?: FormState;
  token?: FormState;
}

const SCALES: [string, string][] = [
  ['5', 'Out of 5'],
  ['10', 'Out of 10'],
  ['100', 'Out of 100'],
];

export function accountPage(site: Site, data: AccountData) {
  const { user } = data;
  const profile = data.profile ?? { values: { name: user.name, reviewScale: String(user.reviewScale) }, errors: {} };
  const password = data.password ?? emptyForm();
  const token = data.token ?? { values: { scope: 'read' }, errors: {} };
  const others = data.sessions.filter((s) => !s.current).length;
  return (
    <Private site={site} title="Your account" path={accountUrls.account()}>
      <h1>Your account</h1>
      <p class="account-who">
        Signed in as <strong class="account-name">{user.name}</strong> (<span class="account-email">{user.email}</span>), {ROLE_NAMES[user.role].toLowerCase()}.
      </p>
      <div class="account-actions">
        {data.isAdmin && (
          <nav aria-label="Administration">
            <ul class="plain-list inline-list">
              <li>
                <a href={accountUrls.adminUsers()}>Users and invitations</a>
              </li>
              <li>
                <a href={accountUrls.audit()}>Audit log</a>
              </li>
            </ul>
          </nav>
        )}
        {can(user, 'review.create') && (
          <p>
            <a href="/write">Your reviews and drafts</a> · <a href="/write/new">Write a review</a> · <a href="/import">Import files</a>
          </p>
        )}
        <SignOutButton csrf={data.csrf} />
      </div>
      <Notice text={data.notice} />

      <section aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <ErrorSummary errors={profile.errors} />
        <form method="post" action={accountUrls.profile()} class="account-form" noValidate>
          <Csrf token={data.csrf} />
          <Field form="profile" name="name" label="Display name" autoComplete="nickname" hint="Shown on your reviews and your author page." state={profile} required maxLength={100} />
          <SelectField form="profile" name="reviewScale" label="Default score scale" hint="The scale a new review starts with." state={profile} options={SCALES} />
          <div class="form-actions">
            <button type="submit">Save profile</button>
          </div>
        </form>
      </section>

      <section aria-labelledby="password-heading">
        <h2 id="password-heading">Password</h2>
        <ErrorSummary errors={password.errors} saved="your password was not changed" />
        <form method="post" action={accountUrls.password()} class="account-form" noValidate>
          <Csrf token={data.csrf} />
          {/* For password managers: which account the new password belongs to. */}
          <input type="hidden" name="username" value={user.email} autoComplete="username" />
          <Field form="password" name="currentPassword" label="Current password" type="password" autoComplete="current-password" state={password} required />
          <Field form="password" name="password" label="New password" type="password" autoComplete="new-password" hint="At least 8 characters. Changing it signs you out everywhere else." state={password} required />
          <div class="form-actions">
            <button type="submit">Change password</button>
          </div>
        </form>
      </section>

      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Where you are signed in</h2>
        <ScrollTable label="Your sessions">
          <table class="data-table">
            <caption class="visually-hidden">Your sessions, most recently used first</caption>
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Sign out</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.sessions.map((s) => (
                <tr class={s.current ? 'current-session' : undefined}>
                  <td>
                    {s.userAgent || 'Unknown browser'}
                    {s.current && <strong> (this browser)</strong>}
                  </td>
                  <td>{s.ip ?? '—'}</td>
                  <td>
                    <DateText iso={s.createdAt} />
                  </td>
                  <td>
                    <DateText iso={s.lastSeenAt} />
                  </td>
                  <td>
                    {s.current ? (
                      <span class="muted">—</span>
                    ) : (
                      <form method="post" action={accountUrls.endSession()} class="inline-form">
                        <Csrf token={data.csrf} />
                        <input type="hidden" name="session" value={s.reference} />
                        <button type="submit">
                          Sign out<span class="visually-hidden"> of {s.userAgent || 'the unknown browser'} at {s.ip ?? 'an unknown address'}</span>
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
        {others > 0 ? (
          <form method="post" action={accountUrls.endOtherSessions()} class="inline-form">
            <Csrf token={data.csrf} />
            <button type="submit">Sign out everywhere else</button>
          </form>
        ) : (
          <p class="muted">You are signed in nowhere else.</p>
        )}
      </section>

      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">API tokens</h2>
        <p>A token lets a program use the API as you. Read tokens only read; write tokens can change what you may change.</p>
        {data.tokens.length > 0 ? (
          <ScrollTable label="Your API tokens">
            <table class="data-table tokens">
              <caption class="visually-hidden">Your API tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Access</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span class="visually-hidden">Revoke</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.tokens.map((t) => (
                  <tr>
                    <td class="token-name">{t.name}</td>
                    <td>{t.scope === 'write' ? 'Read and write' : 'Read only'}</td>
                    <td>
                      <DateText iso={t.createdAt} />
                    </td>
                    <td>{t.lastUsedAt ? <DateText iso={t.lastUsedAt} /> : 'Never'}</td>
                    <td>
                      <form method="post" action={accountUrls.revokeToken(t.id)} class="inline-form">
                        <Csrf token={data.csrf} />
                        <button type="submit" class="danger">
                          Revoke<span class="visually-hidden"> the token “{t.name}”</span>
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        ) : (
          <p class="muted">You have no API tokens.</p>
        )}
        <h3>New token</h3>
        <ErrorSummary errors={token.errors} saved="no token was made" />
        <form method="post" action={accountUrls.tokens()} class="account-form" noValidate>
          <Csrf token={data.csrf} />
          <Field form="token" name="name" label="Name" hint="What it is for, to recognise it later." state={token} maxLength={100} autoComplete="off" />
          <SelectField
            form="token"
            name="scope"
            label="Access"
            state={token}
            options={[
              ['read', 'Read only'],
              ['write', 'Read and write'],
            ]}
          />
          <div class="form-actions">
            <button type="submit">Create token</button>
          </div>
        </form>
      </section>

      <section aria-labelledby="export-heading">
        <h2 id="export-heading">Take your reviews with you</h2>
        <p>Everything you wrote here and your list, to keep or to carry elsewhere; each file can be imported here again.</p>
        <ul class="plain-list">
          {(['csv', 'markdown', 'mal'] as const).map((format) => (
            <li>
              <a href={exportUrl(format)} download>
                Download as {EXPORT_FORMATS[format].label}
              </a>
            </li>
          ))}
          {data.isAdmin && (
            <li>
              <a href={exportUrl('json')} download>
                Download {EXPORT_FORMATS.json.label}
              </a>
            </li>
          )}
        </ul>
      </section>
    </Private>
  );
}

/** The new token, shown this once: only its hash is kept. */
export function tokenCreatedPage(site: Site, data: { token: string; name: string; scope: string }) {
  return (
    <Private site={site} title="Your new API token" path={accountUrls.tokens()}>
      <h1>Your new API token</h1>
      <p class="warning" role="alert">
        <strong>Copy it now: it will not be shown again.</strong> Only a fingerprint of it is kept here, so nobody (not even an admin) can see it later. If you lose it, revoke it and make another.
      </p>
      <dl class="secret-box">
        <dt>{data.name}</dt>
        <dd>{data.scope === 'write' ? 'Read and write' : 'Read only'}</dd>
      </dl>
      <label for="new-token">Token</label>
      <input id="new-token" class="secret" type="text" readOnly value={data.token} autoComplete="off" spellcheck={false} />
      <p>
        Send it as <code>Authorization: Bearer …</code> with each API request.
      </p>
      <p>
        <a href={accountUrls.account()}>Back to your account</a>
      </p>
    </Private>
  );
}

// ---- invitations and sign-up

function NewAccountForm({ action, state, button }: { action: string; state: FormState; button: string }) {
  return (
    <form method="post" action={action} class="account-form" noValidate>
      <Field form="new" name="email" label="Email" type="email" autoComplete="email" state={state} required maxLength={254} />
      <Field form="new" name="name" label="Display name" autoComplete="nickname" hint="Shown on your reviews." state={state} required maxLength={100} />
      <Field form="new" name="password" label="Password" type="password" autoComplete="new-password" hint="At least 8 characters." state={state} required />
      <div class="form-actions">
        <button type="submit" class="primary">
          {button}
        </button>
      </div>
    </form>
  );
}

export function invitePage(site: Site, data: { token: string; role: Role; state?: FormState }) {
  const state = data.state ?? emptyForm();
  return (
    <Private site={site} title="Create your account" path="/invite">
      <h1>Create your account</h1>
      <p>
        You are invited to {site.name} as {withArticle(data.role)}. The link works once.
      </p>
      <ErrorSummary errors={state.errors} saved="no account was made" />
      <NewAccountForm action={accountUrls.invite(data.token)} state={state} button="Create account" />
    </Private>
  );
}

export function signupPage(site: Site, data: { state?: FormState }) {
  const state = data.state ?? emptyForm();
  return (
    <Private site={site} title="Sign up" path={accountUrls.signup()}>
      <h1>Sign up</h1>
      <p>Create an account to write reviews on {site.name}.</p>
      <ErrorSummary errors={state.errors} saved="no account was made" />
      <NewAccountForm action={accountUrls.signup()} state={state} button="Sign up" />
      <p>
        Already have an account? <a href={accountUrls.login()}>Sign in</a>.
      </p>
    </Private>
  );
}

export function signupClosedPage(site: Site, mode: SignupMode) {
  return (
    <Private site={site} title="Sign-up is closed" path={accountUrls.signup()}>
      <h1>Sign-up is closed</h1>
      <p>{mode === 'invite' ? 'This site takes new people by invitation: ask an admin for a link.' : 'This site does not take new accounts. Ask an admin if you should have one.'}</p>
      <p>
        Already have an account? <a href={accountUrls.login()}>Sign in</a>.
      </p>
    </Private>
  );
}

// ---- admin: users, invitations, the sign-up setting

export interface AdminUsersData {
  users: UserRow[];
  me: number;
  csrf: string;
  mode: SignupMode;
  notice?: string;
  errors?: FieldErrors;
  invite?: FormState;
}

export function adminUsersPage(site: Site, data: AdminUsersData) {
  const invite = data.invite ?? { values: { role: 'author' }, errors: {} };
  return (
    <Private site={site} title="Users" path={accountUrls.adminUsers()} wide>
      <h1>Users</h1>
      <AdminNav current="users" csrf={data.csrf} />
      <Notice text={data.notice} />
      <ErrorSummary errors={data.errors ?? {}} saved="nothing was changed" />
      <ScrollTable label="Users">
        <table class="data-table users">
          <caption class="visually-hidden">Every account, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {data.users.map((u) => {
              const me = u.id === data.me;
              return (
                <tr>
                  <td class="user-email">{u.email}</td>
                  <td class="user-name">{u.name}</td>
                  <td class="user-role">
                    {me ? (
                      <>
                        {ROLE_NAMES[u.role]} <span class="muted">(you)</span>
                      </>
                    ) : (
                      <form method="post" action={accountUrls.userRole(u.id)} class="inline-form">
                        <Csrf token={data.csrf} />
                        <label for={`role-${u.id}`} class="visually-hidden">
                          Role of {u.email}
                        </label>
                        <select id={`role-${u.id}`} name="role">
                          {ROLE_OPTIONS.map(([value, text]) => (
                            <option value={value} selected={u.role === value}>
                              {text}
                            </option>
                          ))}
                        </select>{' '}
                        <button type="submit">
                          Change<span class="visually-hidden"> the role of {u.email}</span>
                        </button>
                      </form>
                    )}
                  </td>
                  <td class="user-status">
                    {u.disabledAt ? 'Disabled' : u.passwordHash ? 'Active' : 'No password yet'}
                    {!me && (
                      <form method="post" action={u.disabledAt ? accountUrls.userEnable(u.id) : accountUrls.userDisable(u.id)} class="inline-form">
                        <Csrf token={data.csrf} />{' '}
                        <button type="submit" class={u.disabledAt ? undefined : 'danger'}>
                          {u.disabledAt ? 'Enable' : 'Disable'}
                          <span class="visually-hidden"> {u.email}</span>
                        </button>
                      </form>
                    )}
                  </td>
                  <td>
                    <DateText iso={u.createdAt} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollTable>

      <section aria-labelledby="invite-heading">
        <h2 id="invite-heading">Invite someone</h2>
        <p>Makes a link that creates one account with the role you choose. It works once, for 7 days.</p>
        <ErrorSummary errors={invite.errors} saved="no link was made" />
        <form method="post" action={accountUrls.adminInvites()} class="account-form" noValidate>
          <Csrf token={data.csrf} />
          <SelectField form="invite" name="role" label="Role" state={invite} options={ROLE_OPTIONS} />
          <div class="form-actions">
            <button type="submit">Make an invitation link</button>
          </div>
        </form>
      </section>

      <section aria-labelledby="signup-heading">
        <h2 id="signup-heading">Sign-up</h2>
        <form method="post" action={accountUrls.signupSetting()} class="account-form">
          <Csrf token={data.csrf} />
          <fieldset>
            <legend>Who may create an account</legend>
            {SIGNUP_MODES.map((mode) => (
              <div class="choice">
                <input type="radio" id={`signup-${mode}`} name="signup" value={mode} checked={data.mode === mode} />
                <label for={`signup-${mode}`}>{SIGNUP_LABELS[mode]}</label>
              </div>
            ))}
          </fieldset>
          <div class="form-actions">
            <button type="submit">Save sign-up setting</button>
          </div>
        </form>
      </section>
    </Private>
  );
}

function AdminNav({ current, csrf }: { current: 'users' | 'audit'; csrf: string }) {
  return (
    <div class="account-actions">
      <nav aria-label="Administration">
        <ul class="plain-list inline-list">
          <li>
            <a href={accountUrls.account()}>Your account</a>
          </li>
          <li>
            <a href={accountUrls.adminUsers()} aria-current={current === 'users' ? 'page' : undefined}>
              Users and invitations
            </a>
          </li>
          <li>
            <a href={accountUrls.audit()} aria-current={current === 'audit' ? 'page' : undefined}>
              Audit log
            </a>
          </li>
        </ul>
      </nav>
      <SignOutButton csrf={csrf} />
    </div>
  );
}

/** The invitation link, shown this once. */
export function inviteCreatedPage(site: Site, data: { link: string; role: Role; expiresAt: string }) {
  return (
    <Private site={site} title="Invitation link" path={accountUrls.adminInvites()}>
      <h1>Invitation link</h1>
      <p class="warning" role="alert">
        <strong>Copy it now: it will not be shown again.</strong> Send it to the person it is for; whoever opens it first can create one account as {withArticle(data.role)}.
      </p>
      <label for="invite-link">Link</label>
      <input id="invite-link" class="secret" type="text" readOnly value={data.link} autoComplete="off" spellcheck={false} />
      <p>
        It works until <DateText iso={data.expiresAt} />.
      </p>
      <p>
        <a href={accountUrls.adminUsers()}>Back to the users</a>
      </p>
    </Private>
  );
}

// ---- admin: the audit log

export interface AuditRow {
  id: number;
  at: string;
  action: string;
  subject: string | null;
  ip: string | null;
  detail: string;
  actorEmail: string | null;
}

/** `{"role":"author"}` → `role: author`: the detail as text, whatever it holds. */
function detailText(detail: string): string {
  try {
    const value = JSON.parse(detail) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(', ');
    }
    return JSON.stringify(value);
  } catch {
    return detail;
  }
}

const timeText = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;

export function auditPage(site: Site, data: { events: AuditRow[]; next?: string; first: boolean; csrf: string }) {
  return (
    <Private site={site} title="Audit log" path={accountUrls.audit()} wide>
      <h1>Audit log</h1>
      <AdminNav current="audit" csrf={data.csrf} />
      <p>Sign-ins, accounts, roles, tokens and settings, newest first. Times are UTC.</p>
      {data.events.length === 0 ? (
        <p class="muted">{data.first ? 'Nothing has happened yet.' : 'There is nothing older.'}</p>
      ) : (
        <ScrollTable label="Audit log">
          <table class="data-table audit">
            <caption class="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Concerning</th>
                <th scope="col">Address</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {data.events.map((e) => (
                <tr>
                  <td>
                    <time datetime={e.at}>{timeText(e.at)}</time>
                  </td>
                  <td>{e.actorEmail ?? '—'}</td>
                  <td class="audit-action">{e.action.replace(/_/g, ' ')}</td>
                  <td>{e.subject ?? ''}</td>
                  <td>{e.ip ?? ''}</td>
                  <td>{detailText(e.detail)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
      {(data.next || !data.first) && (
        <nav class="pagination" aria-label="Audit log pages">
          <ul class="plain-list inline-list">
            {!data.first && (
              <li>
                <a href={accountUrls.audit()}>Newest</a>
              </li>
            )}
            {data.next && (
              <li>
                <a href={data.next} rel="next">
                  Older
                </a>
              </li>
            )}
          </ul>
        </nav>
      )}
    </Private>
  );
}
