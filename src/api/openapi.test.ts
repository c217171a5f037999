import { afterEach, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../test/databases.js';
import { buildApp } from '../server/app.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Method and path of every /api/v1 route (HEAD aside), from the route tree, in OpenAPI's {param} form. */
function apiRoutes(server: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of server.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│├└─\s]*)(\S.*?)(?: \(([^)]*)\))?$/u.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack[depth] = m[2]!;
    const path = stack.join('').replace(/\/{2,}/g, '/').replace(/:(\w+)/g, '{$1}');
    if (!path.startsWith('/api/v1/')) continue;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) if (method && method !== 'HEAD') routes.push(`${method.toLowerCase()} ${path}`);
  }
  return routes.sort();
}

forEachDatabase((fresh) => {
  it('serves an OpenAPI 3.1 document of every /api/v1 route, made from the route schemas', async () => {
    const { db } = await fresh();
    app = await buildApp({ db, logLevel: 'silent' });
    const res = await app.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = JSON.parse(res.body);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Kansou API');
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .sort();
    const routes = apiRoutes(app);
    expect(routes).toContain('post /api/v1/reviews');
    expect(routes).toContain('get /api/v1/works/{slug}');
    expect(documented).toEqual(routes);
    // Only the API: no page of the site, nor the document itself.
    expect(Object.keys(doc.paths).every((p) => p.startsWith('/api/v1/'))).toBe(true);

    const create = doc.paths['/api/v1/reviews'].post;
    expect(create.security).toEqual([{ bearer: [] }]);
    const body = create.requestBody.content['application/json'].schema;
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(expect.arrayContaining(['work', 'body']));
    expect(Object.keys(body.properties)).not.toContain('author');
    expect(create.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'idempotency-key' })]));
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '409', '429']));
    // The read routes stay public.
    expect(doc.paths['/api/v1/reviews/{id}'].get.security).toBeUndefined();
  });

  it('serves a readable API reference made from the same document, without scripts', async () => {
    const { db } = await fresh();
    app = await buildApp({ db, logLevel: 'silent' });
    const doc = (await app.inject('/api/openapi.json')).json();
    const res = await app.inject('/api/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(String(res.headers['content-security-policy'])).toContain("default-src");
    expect(res.body).not.toMatch(/<script|style=/i);
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { summary?: string }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(res.body).toContain(`${method.toUpperCase()} ${path}`);
        if (op.summary) expect(res.body).toContain(op.summary.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
      }
    }
    expect(res.body).toContain('idempotency-key');
    expect(res.body).toContain('&quot;additionalProperties&quot;: false');
  });
});
