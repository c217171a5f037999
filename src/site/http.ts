/**
 * HTTP behaviour shared by the site and the API: security headers, validators (ETag) with
 * 304 answers, compression, cache policy, and the hashed static assets.
 */
import { createHash } from 'node:crypto';
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
 * API route sets them itself (`reply.headers(SECURITY_HEADERS)`): a hook costs every request
 * more than setting five headers does.
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
 * A weak ETag from the facts a response is made of, for the hottest routes: hashing a short
 * version string in the handler costs a fraction of hashing the body in an onSend hook.
 * Returns true when the client's copy is current (the caller answers 304).
 */
export function etagFromVersion(request: FastifyRequest, reply: FastifyReply, version: string): boolean {
  const tag = `W/"${createHash('sha1').update(version).digest('base64url')}"`;
  reply.header('etag', tag);
  return request.headers['if-none-match'] === tag;
}

/** The stylesheet and icon, read once, addressed by their content hash. */
export function loadAssets(): Assets & { files: Asset[] } {
  const stylesheet = loadAsset('site.css', 'text/css; charset=utf-8');
  const icon = loadAsset('icon.svg', 'image/svg+xml');
  return { stylesheet: stylesheet.path, icon: icon.path, files: [stylesheet, icon] };
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

/** Sends a rendered page with the site's cache policy. */
export function sendPage(reply: FastifyReply, page: VNode, status = 200): FastifyReply {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', status >= 500 ? 'no-store' : PUBLIC_CACHE)
    .send(renderDocument(page));
}
