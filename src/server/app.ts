/**
 * The HTTP application: Fastify with the API mounted under /api/v1, one error handler,
 * and a health check for load balancers. `buildApp` does not listen, so tests use
 * `app.inject` against the same application the server runs.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { Db } from '../db/connection.js';
import { AppError } from '../shared/errors.js';
import { apiRoutes } from '../api/api.routes.js';

export interface AppOptions {
  db: Db;
  logLevel?: string;
}

export async function buildApp({ db, logLevel = 'info' }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logLevel === 'silent' ? false : { level: logLevel },
    // Query strings like ?limit=5 arrive as strings; let the schema coerce them.
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
    // A line per request costs more than the request itself on the hot read paths; access logs
    // belong to the reverse proxy. LOG_LEVEL=debug turns them on.
    logController: new LogController({ disableRequestLogging: logLevel !== 'debug' && logLevel !== 'trace' }),
    return503OnClosing: true,
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.status).send({ error: { code: error.code, message: error.message } });
    }
    if ('validation' in error && error.validation) {
      // Fastify's message names the part and the field: "querystring/limit must be <= 100".
      return reply.status(400).send({ error: { code: 'invalid_input', message: error.message } });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error, url: request.url, method: request.method }, 'request failed');
      return reply.status(500).send({ error: { code: 'internal', message: 'Something went wrong on our side; it has been logged.' } });
    }
    return reply.status(status).send({ error: { code: error.code?.toLowerCase() ?? 'bad_request', message: error.message } });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No such address: ${request.method} ${request.url.split('?')[0]}` } }),
  );

  app.get('/healthz', async () => {
    await db.kysely.selectFrom('works').select('id').limit(1).execute();
    return { status: 'ok' };
  });

  await app.register(apiRoutes, { prefix: '/api/v1', db });
  return app;
}
