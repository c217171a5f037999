/**
 * HTTP behaviour shared by the site and the API: security headers, validators (ETag) with
 * 304 answers, compression, cache policy, and the hashed static assets.
 */
import { createHash, hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import compress from '@fastify/compress';
import etag from '@fastify/etag';
import { render } from 'preact-render-to-string';
import type { VNode } from 'preact';

/**
 * Pages and API answers: browsers revalidate every time (a cheap 304 thanks to the ETag);
 * a CDN or reverse proxy in front may serve the same answer for a minute. Nothing here
 * depends on who asks, so a shared cache is safe.
 */
export const PUBLIC_CACHE = 'public, max-age=0, s-maxage=60';
/** Assets carry their content hash in their address, so they never change. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * No inline script or style may run; everything comes from this site. Frames, plugins and
 * <base> are refused outright. HSTS is left to the TLS terminator, which knows whether HTTPS
 * is really in use.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * For JSON answers: a JSON document is never rendered, so the page policy has nothing to
 * govern there; it only must not be sniffed as HTML or framed. Kept short, since every byte of
 * headers is paid on the API's busiest route.
 */
export const API_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

/**
 * Compression for the site's pages, feeds and assets (registered inside the site's plugin
 * scope): the API's small JSON answers are left to a reverse proxy, where the hook's cost per
 * request would otherwise fall on the busiest route.
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });
}

export interface Assets {
  stylesheet: string;
  icon: string;
  scripts: Record<string, string>;
}

export interface Asset {
  path: string;
  type: string;
  body: Buffer;
}

function loadAsset(file: string, type: string): Asset {
  const body = readFileSync(new URL(`./assets/${file}`, import.meta.url));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const [name, ext] = file.split('.') as [string, string];
  return { path: `/assets/${name}.${hash}.${ext}`, type, body };
}

/**
 * The security headers, for every route registered after this in the same scope. The hottest
 * API route sets its two itself (`reply.headers(API_HEADERS)`): a hook costs every request
 * more than setting the headers does.
 */
export function registerSecurityHeaders(app: FastifyInstance, headers: Record<string, string> = SECURITY_HEADERS): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}

/**
 * ETags from the response body and `304` for a matching `If-None-Match`, for every route
 * registered after this in the same scope. Weak: the same representation may be sent
 * compressed or not.
 */
export async function registerEtags(app: FastifyInstance): Promise<void> {
  await app.register(etag, { weak: true });
}

/**
 * A weak ETag from the facts a response is made of (ids, timestamps, names: whatever the
 * representation is built from), for the hottest routes: hashing a few short facts in the
 * handler costs a fraction of hashing the body in an onSend hook. Returns true when the
 * client's copy is current (the caller answers 304).
 *
 * The hash is a 64-bit non-cryptographic one (two multiply-xor lanes, as in cyrb53, with a
 * final avalanche), run over the facts as they are, without joining them into a string first:
 * a validator only has to change when one of the facts does, it protects nothing and need not
 * be unguessable, and SHA-1 with its string building and base64 cost ~2–3 µs a request where
 * this costs ~0.3 µs. Each fact ends with its length, so ["ab", "c"] and ["a", "bc"] differ.
 * The first fact should name the representation and its version ("review-v2"), so that a
 * change of format changes every tag.
 */
export function etagFromVersion(request: FastifyRequest, reply: FastifyReply, facts: readonly (string | number)[]): boolean {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let f = 0; f < facts.length; f++) {
    const fact = facts[f]!;
    const text = typeof fact === 'string' ? fact : String(fact);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ text.length ^ 0x10000, 2654435761);
    h2 = Math.imul(h2 ^ text.length ^ 0x10000, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // 64 bits as 11 base64url characters (6 + 6 + 6 + 6 + 6 + 2 bits from each lane).
  const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let tag = 'W/"';
  for (let shift = 0; shift < 30; shift += 6) tag += BASE64URL[(h1 >>> shift) & 63]! + BASE64URL[(h2 >>> shift) & 63]!;
  tag += `${BASE64URL[((h1 >>> 30) << 2) | (h2 >>> 30)]!}"`;
  reply.header('etag', tag);
  return request.headers['if-none-match'] === tag;
}

/** The stylesheet and icon, read once, addressed by their content hash. */
export function loadAssets(): Assets & { files: Asset[] } {
  const stylesheet = loadAsset('site.css', 'text/css; charset=utf-8');
  const icon = loadAsset('icon.svg', 'image/svg+xml');
  // Scripts only enhance: the review form's work search, spoiler button and live preview.
  const write = loadAsset('write.js', 'text/javascript; charset=utf-8');
  return { stylesheet: stylesheet.path, icon: icon.path, scripts: { write: write.path }, files: [stylesheet, icon, write] };
}

/** Routes for the assets; registered in the site's scope, where compression applies. */
export function assetRoutes(app: FastifyInstance, assets: Assets & { files: Asset[] }): void {
  for (const asset of assets.files) {
    app.get(asset.path, (_request, reply) => reply.type(asset.type).header('cache-control', IMMUTABLE).send(asset.body));
  }
  app.get('/favicon.ico', (_request, reply) => reply.redirect(assets.icon, 301));
}

/** A whole HTML document from a page component. */
export function renderDocument(page: VNode): string {
  return `<!doctype html>${render(page)}`;
}

/** A page as it is sent: its bytes, and the weak ETag made from them. */
export interface PageBytes {
  body: Buffer;
  etag: string;
}

/**
 * A page component as bytes and their ETag. Encoded once: the bytes are hashed for the ETag
 * and sent as they are (hashing the string in the ETag hook encoded it a first time, the
 * socket a second).
 */
export function pageBytes(page: VNode): PageBytes {
  const body = Buffer.from(renderDocument(page), 'utf8');
  return { body, etag: `W/"${hash('sha1', body, 'base64url')}"` };
}

/**
 * Sends a rendered page with the site's cache policy: public for pages and 404s, never stored
 * for other errors (a 401, 403 or 429 concerns one visitor) or for `private` pages (a
 * signed-in user's own).
 */
export function sendPage(reply: FastifyReply, page: VNode, status = 200, options: { private?: boolean } = {}): FastifyReply {
  const { body, etag } = pageBytes(page);
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', options.private || (status >= 400 && status !== 404) ? 'private, no-store' : PUBLIC_CACHE)
    .header('etag', etag)
    .send(body);
}
