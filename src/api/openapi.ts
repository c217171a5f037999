/**
 * The API's OpenAPI 3.1 document, made by @fastify/swagger from the route schemas (so it cannot
 * drift from what the routes validate and answer), served at /api/openapi.json; and a readable
 * reference at /api/docs made from the same document: plain server-rendered HTML, no script
 * (the Content-Security-Policy allows none inline, and none is needed to read a list).
 * Only /api/v1 routes are in the document.
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { API_HEADERS, SECURITY_HEADERS } from '../site/http.js';

type Json = Record<string, unknown>;

export async function registerOpenApi(app: FastifyInstance, { stylesheet }: { stylesheet?: string } = {}): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kansou API',
        version: '1',
        description:
          'Reads are public. Writes need `Authorization: Bearer <token>` with a write-scoped token (made on the account page or with `kansou token`). ' +
          'POSTs honour `Idempotency-Key`. Requests with a token, and every write, are rate-limited (RateLimit-* headers; 429 with Retry-After). ' +
          'Errors are `{ "error": { "code", "message" } }`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token: kansou_…' } } },
    },
    transform: ({ schema, url }) => ({ schema: url.startsWith('/api/v1/') ? schema : { ...schema, hide: true }, url }),
  });

  let document: string | undefined;
  const spec = () => (document ??= JSON.stringify(app.swagger()));
  app.get('/api/openapi.json', { schema: { hide: true } }, async (_request, reply) => {
    reply.headers(API_HEADERS).header('cache-control', 'public, max-age=300').type('application/json; charset=utf-8');
    return spec();
  });
  let page: string | undefined;
  app.get('/api/docs', { schema: { hide: true } }, async (_request, reply) => {
    reply.headers(SECURITY_HEADERS).header('cache-control', 'public, max-age=300').type('text/html; charset=utf-8');
    return (page ??= referencePage(JSON.parse(spec()) as Json, stylesheet));
  });
}

const escape = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The reference page: every operation with its method, path, summary, parameters and body schema. */
export function referencePage(doc: Json, stylesheet?: string): string {
  const info = (doc.info ?? {}) as Json;
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  const sections: string[] = [];
  const index: string[] = [];
  for (const path of Object.keys(paths).sort()) {
    for (const method of METHODS) {
      const op = paths[path]![method];
      if (!op) continue;
      const anchor = `${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, '-');
      index.push(`<li><a href="#${anchor}"><code>${method.toUpperCase()} ${escape(path)}</code></a> ${escape(op.summary ?? '')}</li>`);
      const params = ((op.parameters ?? []) as Json[]).map(
        (p) =>
          `<tr><td><code>${escape(p.name)}</code></td><td>${escape(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${escape(JSON.stringify(p.schema ?? {}))}</code></td><td>${escape(p.description ?? '')}</td></tr>`,
      );
      const body = ((op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined)?.['application/json']?.schema;
      const responses = Object.keys((op.responses ?? {}) as Json).join(', ');
      const secured = Array.isArray(op.security) && op.security.length > 0;
      sections.push(
        `<section id="${anchor}"><h2><code>${method.toUpperCase()} ${escape(path)}</code></h2>` +
          `<p>${escape(op.summary ?? '')}</p>` +
          `<p>${secured ? 'Needs a bearer token.' : 'Public.'} Answers: ${escape(responses)}.</p>` +
          (params.length ? `<h3>Parameters</h3><table><thead><tr><th>Name</th><th>In</th><th>Required</th><th>Schema</th><th>Description</th></tr></thead><tbody>${params.join('')}</tbody></table>` : '') +
          (body ? `<h3>Body</h3><pre><code>${escape(JSON.stringify(body, null, 2))}</code></pre>` : '') +
          `</section>`,
      );
    }
  }
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escape(info.title ?? 'API')} reference</title>${stylesheet ? `<link rel="stylesheet" href="${escape(stylesheet)}">` : ''}</head>` +
    `<body><main><h1>${escape(info.title ?? 'API')} reference</h1><p>${escape(info.description ?? '')}</p>` +
    `<p>The machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${escape(doc.openapi ?? '')}).</p>` +
    `<h2>Operations</h2><ul>${index.join('')}</ul>${sections.join('')}</main></body></html>`
  );
}
