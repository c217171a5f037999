/**
 * HTTP behaviour shared by the site and the API: security headers, validators (ETag) with
 * 304 answers, compression, cache policy, and the hashed static assets.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import compress from '@fastify/compress';
import etag from '@fastify/etag';
import helmet from '@fastify/helmet';
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

export interface Assets {
  stylesheet: string;
  icon: string;
}

interface Asset {
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

/** Registers headers, validators and compression for every response, and the asset routes. */
export async function registerHttp(app: FastifyInstance): Promise<Assets> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Feeds and the API are read by other sites' readers and scripts.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // HSTS belongs to the TLS terminator, which knows whether HTTPS is really in use.
    strictTransportSecurity: false,
  });
  // Weak: the same representation may be sent compressed or not.
  await app.register(etag, { weak: true });
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });

  const stylesheet = loadAsset('site.css', 'text/css; charset=utf-8');
  const icon = loadAsset('icon.svg', 'image/svg+xml');
  for (const asset of [stylesheet, icon]) {
    app.get(asset.path, (_request, reply) => reply.type(asset.type).header('cache-control', IMMUTABLE).send(asset.body));
  }
  app.get('/favicon.ico', (_request, reply) => reply.redirect(icon.path, 301));
  return { stylesheet: stylesheet.path, icon: icon.path };
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
