/**
 * Exports from the account page: a signed-in user downloads their own reviews and list as CSV,
 * a ZIP of Markdown files or a MyAnimeList XML (the same writers as `kansou export`); an admin
 * also the whole site as the JSON backup. Private answers, streamed as they are written.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Site } from '../site/site.context.js';
import { cookiePolicyFor, currentSession } from '../accounts/auth.http.js';
import { can } from '../accounts/permissions.js';
import { AppError } from '../shared/errors.js';
import { urls } from '../shared/urls.js';
import { findAuthorById } from '../authors/authors.service.js';
import { exportCsv, exportMalXml, exportMarkdown } from './exports.service.js';

export const EXPORT_FORMATS = {
  csv: { type: 'text/csv; charset=utf-8', extension: 'csv', label: 'CSV' },
  markdown: { type: 'application/zip', extension: 'zip', label: 'Markdown files (ZIP)' },
  mal: { type: 'application/xml; charset=utf-8', extension: 'xml', label: 'MyAnimeList XML' },
  json: { type: 'application/json; charset=utf-8', extension: 'json', label: 'the whole site as JSON (backup)' },
} as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

export const exportUrl = (format: ExportFormat) => `/account/export/${format}`;

export async function exportRoutes(app: FastifyInstance, { site }: { site: Site }): Promise<void> {
  const db = site.db;
  const policy = cookiePolicyFor(site.publicUrl);

  app.get('/account/export/:format', async (request, reply) => {
    const session = await currentSession(db.kysely, request, policy);
    if (!session) return reply.header('cache-control', 'private, no-store').redirect(urls.login('/account'), 303);
    const format = (request.params as { format: string }).format;
    if (!(format in EXPORT_FORMATS)) throw new AppError('not_found', `There is no export as "${format.slice(0, 40)}": choose csv, markdown, mal or json.`);
    const f = EXPORT_FORMATS[format as ExportFormat];
    const day = new Date().toISOString().slice(0, 10);
    const start = (reply: FastifyReply, name: string) =>
      reply
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `attachment; filename="${name}-${day}.${f.extension}"`)
        .type(f.type);

    if (format === 'json') {
      if (!can(session.user, 'site.admin')) throw new AppError('forbidden', 'The whole-site backup is for admins; export your own reviews as CSV, Markdown or MyAnimeList XML.');
      const { exportJson } = await import('../interchange/interchange.export.js');
      const out = new PassThrough();
      exportJson(db, out).then(() => out.end(), (error: unknown) => out.destroy(error as Error));
      return start(reply, 'kansou-backup').send(out);
    }
    const author = session.user.authorId === null ? undefined : await findAuthorById(db.kysely, session.user.authorId);
    if (!author) throw new AppError('not_found', 'This account has no reviews or list to export.');
    const selection = { author: author.name };
    if (format === 'markdown') {
      // The ZIP writer needs a file (it writes the archive's directory at the end): made aside, sent, removed.
      const dir = await mkdtemp(join(tmpdir(), 'kansou-export-'));
      const path = join(dir, 'reviews.zip');
      try {
        await exportMarkdown(db, path, selection);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
      const file = createReadStream(path);
      file.on('close', () => void rm(dir, { recursive: true, force: true }));
      return start(reply, `kansou-${author.slug}`).send(file);
    }
    const out = new PassThrough();
    const write = format === 'csv' ? exportCsv(db, out, selection) : exportMalXml(db, out, selection);
    write.then(() => out.end(), (error: unknown) => out.destroy(error as Error));
    return start(reply, `kansou-${author.slug}`).send(out);
  });
}
