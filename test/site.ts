/**
 * Helpers for page tests: the real application on a test database, a seeded catalogue,
 * and a `get` that parses the HTML so tests assert what a reader would see.
 */
import type { FastifyInstance } from 'fastify';
import { parse, type HTMLElement } from 'node-html-parser';
import { afterEach } from 'vitest';
import type { Db } from '../src/db/connection.js';
import { importParsedItem } from '../src/import/import.service.js';
import { buildApp } from '../src/server/app.js';
import { heroMask, makeItem } from './factories.js';
import type { Role } from '../src/db/schema.js';
import { createUser, signIn } from '../src/accounts/accounts.service.js';
import { cookieNames, cookiePolicyFor } from '../src/accounts/auth.http.js';

export const PUBLIC_URL = 'https://reviews.example.org';

let apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

export interface Page {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  /** The parsed document (HTML pages only). */
  doc: HTMLElement;
  /** Visible text of the document, whitespace collapsed. */
  text: string;
  /** Every JSON-LD object on the page, parsed. */
  jsonLd: Record<string, unknown>[];
}

/** The application on `db`, with a `get` returning parsed pages. */
export async function startSite(db: Db) {
  const app = await buildApp({ db, logLevel: 'silent', site: { name: 'Test Reviews', publicUrl: PUBLIC_URL } });
  apps.push(app);
  const get = async (url: string, headers: Record<string, string> = {}): Promise<Page> => {
    const response = await app.inject({ method: 'GET', url, headers });
    const doc = parse(response.body);
    const jsonLd = doc.querySelectorAll('script[type="application/ld+json"]').map((s) => JSON.parse(s.rawText) as Record<string, unknown>);
    const text = (doc.querySelector('body')?.structuredText ?? '').replace(/\s+/g, ' ').trim();
    return { status: response.statusCode, headers: response.headers, body: response.body, doc, text, jsonLd };
  };
  return { app, get };
}

/**
 * A small catalogue every page test can use: the example's Hero ≠ Mask with two reviews
 * (one with spoilers), Devilman Crybaby unscored, and a film.
 */
export async function seedCatalog(db: Db) {
  const hero = await importParsedItem(
    db,
    makeItem(
      heroMask({ altTitles: [{ title: 'ヒーロー ≠ マスク', type: 'original' }], kind: 'anime_series', externalIds: {} }),
      {
        score: { value: 2.5, max: 5 },
        headline: 'Cliché after cliché',
        summary: 'Stylish gunfights, hollow characters.',
        body: 'Gunfights are *awesome*.\n\nThe ending: ||James survives everything.||\n\n::: spoiler The twist\nSarah was the mole all along.\n:::\n\nStill worth a look.',
        hasSpoilers: true,
        publishedAt: '2024-03-02T10:00:00.000Z',
      },
    ),
    { author: 'Aiko Tanaka', now: () => '2024-03-02T10:00:00.000Z' },
  );
  const second = await importParsedItem(
    db,
    makeItem({ title: 'Hero ≠ Mask', year: 2018 }, { score: { value: 8, max: 10 }, headline: 'Better than they say', body: 'Better than they say. The score by Hisaki Kato carries it.', publishedAt: '2024-03-05T10:00:00.000Z' }),
    { author: 'Ben Critic', now: () => '2024-03-05T10:00:00.000Z' },
  );
  const devilman = await importParsedItem(
    db,
    makeItem(
      { title: 'Devilman Crybaby', year: 2018, credits: [{ role: 'writer', name: 'Ichirō Ōkouchi' }, { role: 'director', name: 'Masaaki Yuasa' }], studios: ['Science SARU'], platforms: ['Netflix'] },
      { score: null, headline: null, body: 'Yuasa at his wildest.', publishedAt: '2024-03-04T10:00:00.000Z' },
    ),
    { author: 'Aiko Tanaka', now: () => '2024-03-04T10:00:00.000Z' },
  );
  const film = await importParsedItem(
    db,
    makeItem({ title: 'Perfect Blue', kind: 'anime_film', year: 1997, credits: [{ role: 'director', name: 'Satoshi Kon' }], studios: ['Madhouse'] }, { score: { value: 95, max: 100 }, headline: 'A nightmare in mirrors', body: 'Kon’s debut still cuts.', publishedAt: '2024-02-01T10:00:00.000Z' }),
    { author: 'Ben Critic', now: () => '2024-02-01T10:00:00.000Z' },
  );
  return { hero, second, devilman, film };
}

export const MEMBER_PASSWORD = 'a long enough passphrase';

/**
 * An account of `role`, signed in: its session cookie (for PUBLIC_URL, so the __Host- one) and
 * the CSRF token its forms carry.
 */
export async function signedInMember(db: Db, role: Role, name: string) {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.org`;
  const user = await createUser(db.kysely, { email, name, role, password: MEMBER_PASSWORD }, { userId: null });
  const signedIn = await signIn(db.kysely, { email, password: MEMBER_PASSWORD, ip: '192.0.2.10' });
  return { user, cookie: `${cookieNames(cookiePolicyFor(PUBLIC_URL)).session}=${signedIn.session}`, csrf: signedIn.csrfToken };
}

/** `startSite` with a signed-in visitor's `get`, and `post` sending a form from the site (Origin, CSRF token). */
export async function startFormSite(db: Db) {
  const site = await startSite(db);
  const post = (url: string, fields: Record<string, string>, who: { cookie: string; csrf?: string }, headers: Record<string, string> = {}) =>
    site.app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie, origin: PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams({ ...(who.csrf ? { _csrf: who.csrf } : {}), ...fields }).toString(),
    });
  const get = (url: string, who?: { cookie: string }) => site.get(url, who ? { cookie: who.cookie } : {});
  return { ...site, post, get };
}
