/**
 * Importing in the browser (`/import`): the same importers as `kansou import`, for authors,
 * editors and admins, into their own author.
 *
 * - Review files (text/Markdown): `POST /import` parses every file without writing and shows
 *   the per-file report (the one `kansou import --dry-run` gives); the files' texts are kept in
 *   `uploads` (a day at most) so that `POST /import/:id/confirm` imports exactly what was shown,
 *   once, whichever server instance answers.
 * - Lists (MyAnimeList, Letterboxd, AniList, a blog's WXR/RSS/Atom, CSV, a Kansou Markdown ZIP),
 *   recognised as `kansou import` recognises them: `POST /import` writes the upload to a
 *   temporary folder, starts an import run in the background of this process and answers 303
 *   to the run's page. The run's progress and report are rows (import/runs.service.ts), so any
 *   instance shows them; the temporary files go when the run ends.
 * - `/import/runs` lists one's runs (admins: everyone's); an admin may undo a run.
 *
 * The upload form is multipart: its `_csrf` field must come before the files and match the
 * session's token (checked here, the Origin by `checkCsrf`), or nothing of the upload is kept.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { registerSecurityHeaders, sendPage } from '../site/http.js';
import { can } from '../accounts/permissions.js';
import { allowedOrigins, checkCsrf, cookiePolicyFor, currentSession, formSession as signedInForm, pageSession as signedInPage } from '../accounts/auth.http.js';
import { recordAudit, type CurrentSession } from '../accounts/accounts.service.js';
import { WriteMemo } from '../db/compiled.js';
import { AppError, forbidden } from '../shared/errors.js';
import { cleanName, nameKey } from '../shared/text.js';
import { decodeText, UnreadableFileError } from './files.js';
import { importParsedItems } from './import.service.js';
import type { ParsedItem, SourceEntry } from './import.types.js';
import type { FileReport } from './plaintext.import.js';
import { parsePlainText, PlainTextParseError } from './plaintext/plaintext.parser.js';
import { prepareItem, type PreparedItem } from './prepare.js';
import { findImportRun, listImportItems, listRuns, type ImportItemRow } from './runs.repository.js';
import { isStalled, runImport, undoImport } from './runs.service.js';
import { detectFormat, LIST_FORMATS, openListSource, type ImportFormat, type ListFormat } from './sources.js';
import * as uploads from './uploads.repository.js';
import { importPage, importUrls, reviewReportPage, runPage, runsPage, type ReviewReport } from './upload.pages.js';

/** What one upload may hold; the import page says so. */
export const UPLOAD_LIMITS = {
  files: 20,
  fileBytes: 64 * 1024 * 1024,
  /** A review file is kept in the database until it is confirmed: a few KB in practice. */
  reviewFileBytes: 1024 * 1024,
} as const;

/** How long uploaded review files wait for their confirmation. */
export const UPLOAD_KEEP_MS = 24 * 60 * 60 * 1000;

/** Report entries per page of a run. */
const RUN_PAGE = 100;

const SIGNED_OUT = 'You are signed out (your session may have ended). Sign in, then upload the files again.';

interface Received {
  name: string;
  path: string;
  size: number;
}

export async function uploadRoutes(app: FastifyInstance, { site }: { site: Site }): Promise<void> {
  registerSecurityHeaders(app);
  await app.register(formbody);
  await app.register(multipart, {
    limits: { files: UPLOAD_LIMITS.files, fileSize: UPLOAD_LIMITS.fileBytes, fields: 10, fieldSize: 1024, parts: UPLOAD_LIMITS.files + 10 },
  });
  const db = site.db;
  const policy = cookiePolicyFor(site.publicUrl);
  const send = (reply: FastifyReply, page: VNode, status = 200) => sendPage(reply, page, status, { private: true });

  // Runs go on after their request; closing the server lets them finish (their state is durable
  // at every batch, and a run cut short is recognised as stalled and may be undone).
  const running = new Set<Promise<unknown>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled([...running]);
  });

  const IMPORTER = { action: 'review.create' as const, refusal: MAY_NOT_IMPORT };
  /** The signed-in user who may import, or a redirect to the sign-in page (undefined: the reply is sent). */
  const pageSession = (request: FastifyRequest, reply: FastifyReply) => signedInPage(db.kysely, request, reply, site.publicUrl, IMPORTER);

  /** A urlencoded form's session, checked against CSRF; refused when signed out or not a writer. */
  async function formSession(request: FastifyRequest): Promise<CurrentSession> {
    const session = await signedInForm(db.kysely, request, site.publicUrl, IMPORTER);
    if (!session) throw new AppError('unauthorized', SIGNED_OUT);
    return session;
  }

  async function authorOf(session: CurrentSession): Promise<{ id: number; name: string }> {
    const authorId = session.user.authorId;
    if (authorId === null) throw forbidden('This account has no author to import as.');
    const row = await db.kysely.selectFrom('authors').select(['id', 'name']).where('id', '=', authorId).executeTakeFirst();
    if (!row) throw forbidden('This account has no author to import as.');
    return row;
  }

  // ---- the upload form

  app.get('/import', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    return send(reply, importPage(site, { csrf: session.csrfToken, limits: UPLOAD_LIMITS }));
  });

  app.post('/import', async (request, reply) => {
    const session = await currentSession(db.kysely, request, policy);
    // The Origin here; the token is a field of the multipart body, compared below.
    checkCsrf(request, allowedOrigins(site.publicUrl, request), undefined);
    if (!session) throw new AppError('unauthorized', SIGNED_OUT);
    mayImport(session);
    const author = await authorOf(session);
    if (!request.isMultipart()) throw new AppError('unsupported_format', 'Send the files with the upload form (multipart/form-data).');

    const dir = await mkdtemp(join(tmpdir(), 'kansou-upload-'));
    let handedOver = false;
    try {
      const files = await receiveFiles(request, dir, session.csrfToken);
      if (files.length === 0) throw new AppError('invalid_input', 'Choose one or more files to import.');
      const format = await formatOfUpload(files, dir);
      const now = new Date();
      await uploads.deleteExpiredUploads(db.kysely, now.toISOString());

      if (format === 'text') {
        const texts: uploads.UploadedText[] = [];
        for (const file of files) {
          if (file.size > UPLOAD_LIMITS.reviewFileBytes) {
            throw new AppError('payload_too_large', `${file.name}: ${megabytes(file.size)} is more than a review file may be (${megabytes(UPLOAD_LIMITS.reviewFileBytes)}). Nothing was imported.`);
          }
          texts.push(decodeUpload(file.name, await readFile(file.path)));
        }
        const parsed = texts.map(parseUploaded);
        const readable = parsed.some((p) => p.item);
        let id: string | undefined;
        if (readable) {
          id = randomBytes(16).toString('base64url');
          await uploads.insertUpload(db.kysely, { id, userId: session.user.id, files: texts, now: now.toISOString(), expiresAt: new Date(now.getTime() + UPLOAD_KEEP_MS).toISOString() });
        }
        const page: ReviewReport = { stage: 'preview', files: parsed.map((p) => p.report), uploadId: id, csrf: session.csrfToken, author: author.name };
        return send(reply, reviewReportPage(site, page));
      }
      if (format === 'json') {
        throw new AppError('unsupported_format', 'This looks like a Kansou backup (JSON): an admin restores those with `kansou import --format json` on the server.');
      }
      const id = await startRun(request, format, files, dir, author);
      handedOver = true;
      return reply.header('cache-control', 'private, no-store').redirect(importUrls.run(id), 303);
    } catch (error) {
      if (error instanceof AppError) throw new AppError(error.code, withoutDir(error.message, dir), { cause: error });
      throw error;
    } finally {
      if (!handedOver) await rm(dir, { recursive: true, force: true });
    }
  });

  /**
   * The files of the upload, written to `dir` under their own names (a second file of the same
   * name goes into a subfolder, so the name the importers see stays the one uploaded).
   */
  async function receiveFiles(request: FastifyRequest, dir: string, csrfToken: string): Promise<Received[]> {
    let tokenOk = false;
    const files: Received[] = [];
    const used = new Set<string>();
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          if (part.fieldname === '_csrf') tokenOk = typeof part.value === 'string' && sameSecret(part.value, csrfToken);
          continue;
        }
        if (!tokenOk) {
          part.file.resume();
          throw csrfRefused();
        }
        if (!part.filename) {
          // An empty file input still sends a part without a name.
          part.file.resume();
          continue;
        }
        const name = safeName(part.filename, files.length + 1);
        let folder = dir;
        if (used.has(name.toLowerCase())) {
          folder = join(dir, String(files.length + 1));
          await mkdir(folder);
        }
        used.add(name.toLowerCase());
        const path = join(folder, name);
        await pipeline(part.file, createWriteStream(path));
        if (part.file.truncated) throw tooLarge(name);
        files.push({ name, path, size: (await stat(path)).size });
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      const code = (error as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(((error as { part?: { filename?: string } }).part?.filename ?? 'a file').slice(0, 200));
      if (code === 'FST_FILES_LIMIT') throw new AppError('payload_too_large', `More than ${UPLOAD_LIMITS.files} files: upload at most ${UPLOAD_LIMITS.files} at a time. Nothing was imported.`);
      if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new AppError('payload_too_large', 'The form sent more fields than the upload form has. Nothing was imported.');
      throw new AppError('invalid_input', `The upload could not be read (${(error as Error).message}). Nothing was imported; try again.`, { cause: error });
    }
    if (!tokenOk) throw csrfRefused();
    return files;
  }

  /** Starts the run and answers its id once its row is written; the run goes on in the background. */
  async function startRun(request: FastifyRequest, format: ListFormat, files: Received[], dir: string, author: { id: number; name: string }): Promise<number> {
    let opened;
    try {
      opened = await openListSource(format, files.map((f) => f.path));
    } catch (error) {
      if (error instanceof AppError) throw new AppError(error.code, withoutDir(error.message, dir));
      throw error;
    }
    const source = files.map((f) => f.name).join(', ');
    let found!: (id: number) => void;
    let lost!: (error: unknown) => void;
    const idOfRun = new Promise<number>((resolve, reject) => {
      found = resolve;
      lost = reject;
    });
    const job = runImport(db, ownEntries(opened.entries, { dir, author: author.name }), {
      format,
      source,
      author: author.name,
      bytesTotal: opened.bytesTotal,
      bytesRead: opened.bytesRead,
      onStarted: found,
    })
      .then((result) => found(result.id))
      .catch((error: unknown) => {
        request.log.error({ err: error }, 'import run failed');
        lost(error);
      })
      .finally(() => rm(dir, { recursive: true, force: true }));
    running.add(job);
    void job.finally(() => running.delete(job));
    return idOfRun;
  }

  // ---- confirming review files

  app.post('/import/:id/confirm', async (request, reply) => {
    const session = await formSession(request);
    const author = await authorOf(session);
    const id = (request.params as { id: string }).id;
    const now = new Date().toISOString();
    const upload = /^[\w-]{10,40}$/.test(id) ? await uploads.findUpload(db.kysely, id, session.user.id, now) : undefined;
    if (!upload) throw new AppError('not_found', 'This upload is not here: uploads wait a day for their confirmation, and only the one who uploaded them may confirm them. Upload the files again.');
    const already = () => {
      const files = upload.result ? (JSON.parse(upload.result) as FileReport[]) : [];
      return send(reply, reviewReportPage(site, { stage: 'done', files, csrf: session.csrfToken, author: author.name, notice: 'These files were imported already; nothing was written again.' }), 409);
    };
    if (upload.confirmedAt || !(await uploads.claimUpload(db.kysely, id, session.user.id, now))) return already();

    const parsed = upload.files.map(parseUploaded);
    const toWrite = parsed.filter((p): p is Parsed & { item: ParsedItem; prepared: PreparedItem } => p.item !== undefined);
    try {
      if (toWrite.length) {
        // The user's own author for every file: a review file names no author of its own.
        const results = await importParsedItems(
          db,
          toWrite.map((p) => p.item),
          { author: author.name },
          { prepared: toWrite.map((p) => p.prepared), memo: new WriteMemo() },
        );
        results.forEach((result, k) => {
          const p = toWrite[k]!;
          if (result instanceof Error) p.report = failedReport(p.report.source, `not saved: ${result.message}`, p.report.warnings);
          else p.report.result = result;
        });
      }
    } catch (error) {
      await uploads.releaseUpload(db.kysely, id);
      throw error;
    }
    const reports = parsed.map((p) => (p.report.review ? { ...p.report, review: { ...p.report.review, body: '' } } : p.report));
    await uploads.saveUploadResult(db.kysely, id, JSON.stringify(reports));
    return send(reply, reviewReportPage(site, { stage: 'done', files: reports, csrf: session.csrfToken, author: author.name }));
  });

  // ---- runs

  const runIdOf = (request: FastifyRequest) => {
    const raw = (request.params as { id: string }).id;
    return /^[1-9]\d{0,9}$/.test(raw) && Number(raw) <= 2_147_483_647 ? Number(raw) : undefined;
  };

  /** The run, when the user may see it (their author's, or any for an admin). */
  async function visibleRun(session: CurrentSession, id: number | undefined) {
    const run = id === undefined ? undefined : await findImportRun(db.kysely, id);
    if (!run || (!can(session.user, 'site.admin') && run.authorId !== session.user.authorId)) throw new AppError('not_found', 'There is no import at this address.');
    return run;
  }

  app.get('/import/runs', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    const admin = can(session.user, 'site.admin');
    const before = (request.query as Record<string, string | undefined>).before;
    const beforeId = before && /^[1-9]\d{0,9}$/.test(before) ? Number(before) : undefined;
    const rows = await listRuns(db.kysely, { authorId: admin ? undefined : (session.user.authorId ?? -1), beforeId, limit: 51 });
    const now = new Date().toISOString();
    return send(
      reply,
      runsPage(site, {
        runs: rows.slice(0, 50).map((r) => ({ ...r, stalled: isStalled(r, now) })),
        everyone: admin,
        nextBefore: rows.length > 50 ? rows[49]!.id : undefined,
      }),
    );
  });

  app.get('/import/runs/:id', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    const run = await visibleRun(session, runIdOf(request));
    const query = request.query as Record<string, string | undefined>;
    const problems = query.show === 'problems';
    const after = query.after && /^\d{1,9}$/.test(query.after) ? Number(query.after) : 0;
    const filter = problems ? { outcomes: ['failed', 'skipped'] as ImportItemRow['outcome'][], uncertain: true } : {};
    const items = await listImportItems(db.kysely, run.id, { ...filter, afterPosition: after, limit: RUN_PAGE + 1 });
    const stalled = isStalled(run, new Date().toISOString());
    const live = run.status === 'running' && !stalled;
    // Reloads itself while the run goes on: no script needed (the CSP allows none inline).
    if (live) void reply.header('refresh', '2');
    return send(
      reply,
      runPage(site, {
        run,
        stalled,
        items: items.slice(0, RUN_PAGE),
        problems,
        after,
        nextAfter: items.length > RUN_PAGE ? items[RUN_PAGE - 1]!.position : undefined,
        canUndo: can(session.user, 'site.admin') && !run.undoneAt && run.status !== 'undone' && (!live || stalled),
        csrf: session.csrfToken,
        notice: query.undone !== undefined ? 'Import undone: what it wrote was taken back.' : undefined,
      }),
    );
  });

  app.post('/import/runs/:id/undo', async (request, reply) => {
    const session = await formSession(request);
    if (!can(session.user, 'site.admin')) throw forbidden('Only an admin may undo an import.');
    const id = runIdOf(request);
    const run = id === undefined ? undefined : await findImportRun(db.kysely, id);
    if (!run) throw new AppError('not_found', 'There is no import at this address.');
    const counts = await undoImport(db, run.id);
    await recordAudit(db.kysely, { action: 'import_undone', actorId: session.user.id, subject: `import ${run.id}`, ip: request.ip, detail: { format: run.format, source: run.source, authorId: run.authorId, ...counts } });
    return reply.header('cache-control', 'private, no-store').redirect(`${importUrls.run(run.id)}?undone`, 303);
  });
}

// ---- helpers

const MAY_NOT_IMPORT = 'Your account reads, but does not write reviews, so it cannot import them. An admin can change that.';

function mayImport(session: CurrentSession): void {
  if (!can(session.user, 'review.create')) throw forbidden(MAY_NOT_IMPORT);
}

function csrfRefused(): AppError {
  return new AppError('csrf', 'This form has expired or was not sent from this site. Reload the page and try again.');
}

function tooLarge(name: string): AppError {
  return new AppError('payload_too_large', `${name}: larger than ${megabytes(UPLOAD_LIMITS.fileBytes)}, the most one file may be. Nothing was imported.`);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 10 || Number.isInteger(mb) ? `${Math.round(mb)} MB` : `${mb.toFixed(1)} MB`;
}

/** The name a browser sent, as a plain file name: no folders, no control characters, not hidden. */
function safeName(raw: string, position: number): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').replace(/^[.\s]+/, '').trim().slice(-200);
  return clean || `file-${position}`;
}

/** A message about a file, naming it as uploaded rather than where it waits on the server. */
function withoutDir(message: string, dir: string): string {
  return message.split(`${dir}${sep}`).join('').split(dir).join('');
}

/** The format of the upload, as `kansou import` would see it; files of different formats are refused. */
async function formatOfUpload(files: Received[], dir: string): Promise<ImportFormat> {
  const formats = new Map<ImportFormat, string[]>();
  for (const file of files) {
    const format = await detectFormat([file.path]);
    formats.set(format, [...(formats.get(format) ?? []), file.name]);
  }
  if (formats.size > 1) {
    const which = [...formats].map(([format, names]) => `${FORMAT_NAMES[format]}: ${names.join(', ')}`).join('; ');
    throw new AppError('invalid_input', withoutDir(`These files are of different kinds (${which}): upload one kind at a time.`, dir));
  }
  const format = [...formats.keys()][0]!;
  if (format !== 'text' && format !== 'json' && !(LIST_FORMATS as readonly string[]).includes(format)) throw new AppError('unsupported_format', 'Kansou cannot import these files.');
  return format;
}

export const FORMAT_NAMES: Record<ImportFormat, string> = {
  text: 'review files',
  json: 'a Kansou backup',
  mal: 'a MyAnimeList export',
  letterboxd: 'a Letterboxd export',
  anilist: 'an AniList list',
  blog: 'a blog (WordPress export or RSS/Atom feed)',
  csv: 'a CSV list',
  markdown: 'a ZIP of Markdown reviews',
};

/**
 * The entries of an uploaded source as the run writes them: every one under the uploader's
 * author (a blog post naming another writer is noted, not filed under them), and the
 * temporary folder taken out of every message.
 */
async function* ownEntries(entries: AsyncIterable<SourceEntry>, o: { dir: string; author: string }): AsyncGenerator<SourceEntry> {
  const clean = (text: string) => withoutDir(text, o.dir);
  const mine = nameKey(cleanName(o.author));
  try {
    for await (const entry of entries) {
      if ('item' in entry) {
        const warnings = entry.item.warnings.map(clean);
        const named = entry.item.author ? cleanName(entry.item.author) : '';
        if (named && nameKey(named) !== mine) warnings.push(`the source names ${named} as its writer; imported as yours`);
        yield { ref: clean(entry.ref), item: { ...entry.item, author: null, warnings } };
      } else if ('skip' in entry) yield { ref: clean(entry.ref), skip: clean(entry.skip) };
      else yield { ref: clean(entry.ref), error: clean(entry.error) };
    }
  } catch (error) {
    if (error instanceof AppError) throw new AppError(error.code, clean(error.message), { cause: error });
    if (error instanceof Error) throw new Error(clean(error.message), { cause: error });
    throw error;
  }
}

// ---- review files

interface Parsed {
  report: FileReport;
  item?: ParsedItem;
  prepared?: PreparedItem;
}

function decodeUpload(name: string, bytes: Buffer): uploads.UploadedText {
  if (bytes.length === 0) return { name, text: null, error: 'empty file' };
  try {
    return { name, text: decodeText(bytes) };
  } catch (error) {
    if (error instanceof UnreadableFileError) return { name, text: null, error: error.message };
    throw error;
  }
}

function failedReport(source: string, error: string, warnings: string[] = []): FileReport {
  return { source, ok: false, error, warnings, work: null, review: null };
}

/** The parser and report of `kansou import --dry-run`, on an uploaded text. */
function parseUploaded(file: uploads.UploadedText): Parsed {
  if (file.text === null) return { report: failedReport(file.name, file.error ?? 'unreadable') };
  let item: ParsedItem;
  try {
    item = parsePlainText(file.text, { filename: file.name });
  } catch (error) {
    if (error instanceof PlainTextParseError) return { report: failedReport(file.name, error.message) };
    throw error;
  }
  const { work, review } = item;
  return {
    item,
    prepared: prepareItem(item),
    report: {
      source: file.name,
      ok: true,
      error: null,
      warnings: item.warnings,
      work: { title: work.title, altTitles: work.altTitles, kind: work.kind, year: work.year, credits: work.credits, studios: work.studios, platforms: work.platforms, tags: work.tags },
      review: { headline: review.headline, score: review.score, rating: review.rating, body: review.body, hasSpoilers: review.hasSpoilers },
    },
  };
}
