/**
 * The HTTP application: Fastify with the public site at /, the API under /api/v1, one error
 * handler per surface (HTML pages for the site, JSON for the API), and a health check for
 * load balancers. `buildApp` does not listen, so tests use `app.inject` against the same
 * application the server runs.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Db } from '../db/connection.js';
import { AppError } from '../shared/errors.js';
import { apiRoutes } from '../api/api.routes.js';
import { registerOpenApi } from '../api/openapi.js';
import { API_HEADERS, loadAssets, SECURITY_HEADERS, sendPage } from '../site/http.js';
import { siteRoutes } from '../site/site.routes.js';
import { accountRoutes } from '../accounts/account.routes.js';
import { writingRoutes } from '../writing/write.routes.js';
import { exportRoutes } from '../exports/exports.routes.js';
import { uploadRoutes } from '../import/upload.routes.js';
import { errorPage } from '../site/error.pages.js';
import { createSite, type SiteOptions } from '../site/site.context.js';
import { findReviewIdBySourcePath } from '../reviews/reviews.repository.js';
import { findWorkRedirect } from '../works/works.repository.js';
import { findNameRedirect } from '../works/names.repository.js';
import { editRoutes } from '../catalog/edit.routes.js';
import { urls } from '../shared/urls.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import cookie from '@fastify/cookie';

export interface AppOptions {
  db: Db;
  logLevel?: string;
  site?: Partial<SiteOptions>;
}

/** The largest request body accepted: a long review is a few tens of KB of Markdown. */
export const BODY_LIMIT = 512 * 1024;

const isApi = (request: FastifyRequest) => request.url.startsWith('/api/') || request.url === '/healthz';

const MOVED = /^(\/api\/v1)?\/(works|people|studios|platforms)\/([^/]{1,600})(\/.*)?$/;

/**
 * Where an address of a work, person, studio or platform merged into another now is: the
 * survivor's address with the same sub-path and query (`/works/OLD/feed.atom?x` →
 * `/works/NEW/feed.atom?x`), and in the API `GET /api/v1/works/OLD` → `/api/v1/works/NEW` (and
 * people, studios, platforms likewise). Undefined for anything else. Asked only when the
 * answer would otherwise be a 404, so it costs nothing on the pages that exist; it reads no
 * session, so the answer is the same for everyone.
 */
async function movedAddress(db: Kysely<Database>, url: string): Promise<string | undefined> {
  const q = url.indexOf('?');
  const m = MOVED.exec(q >= 0 ? url.slice(0, q) : url);
  if (!m) return undefined;
  const [, api = '', kind, raw, rest = ''] = m as unknown as [string, string | undefined, 'works' | 'people' | 'studios' | 'platforms', string, string | undefined];
  if (api && rest) return undefined;
  let slug: string;
  try {
    slug = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  const target = kind === 'works' ? await findWorkRedirect(db, slug) : await findNameRedirect(db, kind, slug);
  return target === undefined ? undefined : `${api}/${kind}/${encodeURIComponent(target)}${rest}${q >= 0 ? url.slice(q) : ''}`;
}

export async function buildApp({ db, logLevel = 'info', site: siteOptions = {} }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logLevel === 'silent' ? false : { level: logLevel },
    // Query strings like ?limit=5 arrive as strings; let the schema coerce them.
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
    // A line per request costs more than the request itself on the hot read paths; access logs
    // belong to the reverse proxy. LOG_LEVEL=debug turns them on.
    logController: new LogController({ disableRequestLogging: logLevel !== 'debug' && logLevel !== 'trace' }),
    return503OnClosing: true,
    bodyLimit: BODY_LIMIT,
  });
  await app.register(cookie);

  const assets = loadAssets();
  const site = createSite(db, siteOptions, assets);

  const sendError = (request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string) => {
    // An error other than "not found" concerns this one request: nobody's to cache.
    if (status !== 404) reply.header('cache-control', 'private, no-store');
    if (isApi(request)) return reply.headers(API_HEADERS).status(status).send({ error: { code, message } });
    reply.headers(SECURITY_HEADERS);
    return sendPage(reply, errorPage(site, status, message, request.url.split('?')[0]!), status);
  };

  /** 301 to where a merged-away work or name now is (see `movedAddress`), for GET and HEAD. */
  const redirectIfMoved = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    const moved = await movedAddress(db.kysely, request.url);
    if (moved === undefined) return undefined;
    return reply.headers(isApi(request) ? API_HEADERS : SECURITY_HEADERS).header('cache-control', 'public, max-age=0, s-maxage=60').redirect(moved, 301);
  };

  app.setErrorHandler(async (error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      // A work (person, studio, platform) merged into another: its pages, feeds and API record
      // answer 404 from their handlers, and 301 to the survivor here instead.
      if (error.code === 'not_found') {
        const redirected = await redirectIfMoved(request, reply);
        if (redirected) return redirected;
      }
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
      return sendError(request, reply, error.status, error.code, error.message);
    }
    if ('validation' in error && error.validation) {
      // Fastify's message names the part and the field: "querystring/limit must be <= 100".
      return sendError(request, reply, 400, 'invalid_input', error.message);
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error, url: request.url, method: request.method }, 'request failed');
      return sendError(request, reply, 500, 'internal', 'Something went wrong on our side; it has been logged.');
    }
    if (status === 413) return sendError(request, reply, 413, 'payload_too_large', `The request body is larger than the ${Math.round(BODY_LIMIT / 1024)} KB this address accepts.`);
    if (status === 415) return sendError(request, reply, 415, 'unsupported_format', error.message);
    return sendError(request, reply, status, error.code?.toLowerCase() ?? 'bad_request', error.message);
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (isApi(request)) return sendError(request, reply, 404, 'not_found', `No such address: ${request.method} ${request.url.split('?')[0]}`);
    // A review imported from a blog keeps its old address: links to it still arrive.
    if (request.method === 'GET' || request.method === 'HEAD') {
      const path = request.url.split('?')[0]!;
      const reviewId = (await findReviewIdBySourcePath(db.kysely, request.url)) ?? (path !== request.url ? await findReviewIdBySourcePath(db.kysely, path) : undefined);
      if (reviewId !== undefined) return reply.headers(SECURITY_HEADERS).redirect(urls.review(reviewId), 301);
      // And a merged-away work or name keeps its addresses (the ones no route matches).
      const redirected = await redirectIfMoved(request, reply);
      if (redirected) return redirected;
    }
    return sendError(request, reply, 404, 'not_found', 'There is no page at this address.');
  });

  app.get('/healthz', async (_request, reply) => {
    reply.headers(API_HEADERS);
    await db.kysely.selectFrom('works').select('id').limit(1).execute();
    return { status: 'ok' };
  });

  // Before the API's routes, so that the OpenAPI document sees them (/api/openapi.json, /api/docs).
  await registerOpenApi(app, { stylesheet: assets.stylesheet });
  await app.register(apiRoutes, { prefix: '/api/v1', db });
  await app.register(siteRoutes, { site, assets });
  await app.register(accountRoutes, { site });
  await app.register(writingRoutes, { site });
  await app.register(exportRoutes, { site });
  await app.register(uploadRoutes, { site });
  await app.register(editRoutes, { site });
  return app;
}
