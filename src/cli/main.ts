/**
 * The `kansou` command: serving, importing, exporting and migrating. It calls the same
 * services as the server.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { describeConfig, loadConfig, type Config } from '../config.js';
import { openDatabase, type Db } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { AppError } from '../shared/errors.js';
import { expandInputs } from '../import/files.js';
import { importTextFiles, type FileReport } from '../import/plaintext.import.js';
import { ExitCode, progress, withDb } from './common.js';
import { importList, registerImportsCommands } from './imports.js';
import { registerUserCommands } from './users.js';
import { detectFormat, LIST_FORMATS, type ListFormat } from '../import/sources.js';
import packageJson from '../../package.json' with { type: 'json' };

// The server, the JSON format and the renderer are loaded by the commands that use them: loading
// every module took longer than importing a few thousand review files.
const server = () => import('../server/app.js');
const interchangeExport = () => import('../interchange/interchange.export.js');
const interchangeImport = () => import('../interchange/interchange.import.js');
const reviewsService = () => import('../reviews/reviews.service.js');
const workLists = () => import('../works/work-lists.js');
const storedPages = () => import('../site/stored-pages.js');
/** The public site over `db` with the configured name and address, as the server builds it. */
const siteOf = async (db: Db, c: Config) => {
  const [{ createSite }, { loadAssets }] = await Promise.all([import('../site/site.context.js'), import('../site/http.js')]);
  return createSite(db, { name: c.siteName, publicUrl: c.publicUrl }, loadAssets());
};
const accountsService = () => import('../accounts/accounts.service.js');
const exportsService = () => import('../exports/exports.service.js');

function describeFile(r: FileReport): string {
  if (!r.ok) return `✗ ${r.source}: ${r.error}`;
  const score = r.review?.score ? ` ${r.review.score.value}/${r.review.score.max}` : ' no score';
  const result = r.result
    ? ` — work ${r.result.work.action} (${r.result.work.slug}), review #${r.result.review.id} ${r.result.review.action}`
    : '';
  const lines = [`✓ ${r.source}: "${r.work?.title}" ${r.work?.kind ?? 'kind unknown'} ${r.work?.year ?? 'year unknown'},${score}${result}`];
  for (const w of r.warnings) lines.push(`  ! ${w}`);
  return lines.join('\n');
}

async function importFiles(config: Config, paths: string[], options: { author?: string; dryRun?: boolean; json?: boolean }) {
  const files = await expandInputs(paths);
  const reports: FileReport[] = [];
  const author = options.author ?? config.ownerName;
  const run = async (db: Db | null) => {
    const bar = files.length > 20 ? progress('importing', files.length) : undefined;
    await importTextFiles(db, files, author, (report) => {
      reports.push(report);
      if (!options.json) (report.ok ? process.stdout : process.stderr).write(`${describeFile(report)}\n`);
      bar?.tick(reports.length);
    });
    bar?.done();
  };
  if (options.dryRun) await run(null);
  else await withDb(config, run);

  const failed = reports.filter((r) => !r.ok).length;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ items: reports.map(({ result: _result, ...r }) => (options.dryRun ? r : { ...r, result: _result ?? null })) }, null, 2)}\n`);
  } else {
    const actions = reports.flatMap((r) => (r.result ? [r.result.review.action] : []));
    const count = (a: string) => actions.filter((x) => x === a).length;
    process.stderr.write(
      `${reports.length} file${reports.length === 1 ? '' : 's'}: ${reports.length - failed} ${options.dryRun ? 'readable (dry run, nothing written)' : `imported (${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged)`}, ${failed} failed\n`,
    );
  }
  if (failed > 0) throw new ExitCode(1);
}

async function importJsonFile(config: Config, file: string, options: { json?: boolean }) {
  const { importJson } = await interchangeImport();
  const input = file === '-' ? process.stdin : createReadStream(file);
  const bar = progress('restoring');
  const report = await withDb(config, (db) => importJson(db, input, { onProgress: (n) => bar.tick(n) }));
  bar.done();
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const [section, c] of Object.entries(report.counts)) {
      if (c.created + c.updated + c.unchanged + c.failed === 0) continue;
      process.stderr.write(`${section}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.failed} failed\n`);
    }
    for (const f of report.failures) process.stderr.write(`✗ ${file}: ${f.section} item ${f.item}: ${f.message}\n`);
    const restored = report.counts.reviews;
    if (restored && restored.created + restored.updated > 0) {
      process.stderr.write('review pages are rendered by the server in the background after it starts, or now with `kansou render`\n');
    }
  }
  if (report.failures.length) throw new ExitCode(1);
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('kansou')
    .description('Kansou, a self-hosted review platform for anime, series and films.')
    .version(packageJson.version, '-V, --version', 'print the version of Kansou');
  const config = () => loadConfig();

  program
    .command('serve')
    .description('start the web server (DATABASE_URL, PORT, HOST from the environment)')
    .action(async () => {
      const c = config();
      const [{ buildApp }, { renderPendingReviews }, { pruneExpired, setupLink }, { storePendingWorkLists }, { storePendingPages }] = await Promise.all([
        server(),
        reviewsService(),
        accountsService(),
        workLists(),
        storedPages(),
      ]);
      const db = await openDatabase(c.databaseUrl, { sqliteCacheMb: c.sqliteCacheMb });
      const app = await buildApp({ db, logLevel: c.logLevel, site: { name: c.siteName, publicUrl: c.publicUrl } });
      const site = await siteOf(db, c);
      // Reviews a restore or an upgrade left unrendered are rendered a small batch at a time,
      // between requests; pages render them on the spot until then.
      const stop = new AbortController();
      const betweenRequests = () => new Promise<void>((r) => setImmediate(r));
      let rendering: Promise<unknown> = Promise.resolve();
      // Works whose stored lists and pages a change made stale (an import, an edit, from any
      // server) get them back a minute later at most; pages read the tables and render on view
      // until then. The lists first: pages are rendered from them.
      let storingLists: Promise<unknown> | undefined;
      const storeLists = () => {
        storingLists ??= storePendingWorkLists(db, { batchSize: 50, signal: stop.signal, pause: betweenRequests })
          .catch((error: unknown) => app.log.error({ err: error }, 'storing the lists of works failed; pages read them from their tables'))
          .then(() => storePendingPages(site, { batchSize: 2, reviewPagesPerTransaction: 40, signal: stop.signal, pause: betweenRequests }))
          .then((n) => n > 0 && app.log.info(`stored ${n} page${n === 1 ? '' : 's'} of works and reviews`))
          .catch((error: unknown) => app.log.error({ err: error }, 'storing pages failed; they are rendered on view'))
          .finally(() => (storingLists = undefined));
      };
      const listsTimer = setInterval(storeLists, 60_000).unref();
      // Expired sessions, throttle windows, idempotency keys, uploads never confirmed and old
      // deleted reviews go hourly.
      const { deleteExpiredUploads } = await import('../import/uploads.repository.js');
      const tidy = () => Promise.all([pruneExpired(db.kysely), deleteExpiredUploads(db.kysely, new Date().toISOString())]);
      const housekeeping = setInterval(() => {
        tidy().catch((error: unknown) => app.log.error({ err: error }, 'housekeeping failed'));
      }, 3_600_000).unref();
      app.addHook('onClose', async () => {
        clearInterval(housekeeping);
        clearInterval(listsTimer);
        stop.abort();
        await Promise.all([rendering, storingLists]);
        await db.close();
      });
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());
      await app.listen({ port: c.port, host: c.host });
      await tidy();
      // No default password ships: with no admin yet, a one-time link makes the first one.
      const setup = await setupLink(db.kysely);
      if (setup) {
        process.stderr.write(
          `\nNo admin account yet. Open this link within 24 hours to create one (it works once; a restart makes a new one):\n  ${c.publicUrl}/invite/${setup}\n` +
            `Or from the command line: kansou user add EMAIL --name "Your Name" --role admin\n\n`,
        );
      }
      rendering = renderPendingReviews(db, { batchSize: 20, signal: stop.signal, pause: betweenRequests })
        .then(
          (n) => n > 0 && app.log.info(`rendered ${n} review${n === 1 ? '' : 's'} that had no stored rendering`),
          (error: unknown) => app.log.error({ err: error }, 'rendering reviews in the background failed; pages render them on view'),
        )
        .then(storeLists);
    });

  program
    .command('import')
    .description('import review files (text, Markdown), lists (MyAnimeList, Letterboxd, AniList), a blog, a CSV, or a Kansou JSON export')
    .argument('<paths...>', 'files, folders or globs; for --format json, one file or - for standard input')
    .addOption(new Option('--format <format>', 'input format (auto: from names and contents)').choices(['auto', 'text', 'json', ...LIST_FORMATS]).default('auto'))
    .option('--author <name>', 'author of the imported reviews (default: KANSOU_OWNER)')
    .option('--dry-run', 'parse and report, write nothing')
    .option('--json', 'print the report as JSON')
    .action(async (paths: string[], options: { format: string; author?: string; dryRun?: boolean; json?: boolean }) => {
      const stdin = paths.length === 1 && paths[0] === '-';
      const format = options.format !== 'auto' ? options.format : stdin ? 'json' : await detectFormat(paths);
      if (format === 'json') {
        if (paths.length !== 1) throw new AppError('invalid_input', 'a JSON import takes exactly one file');
        if (options.dryRun) throw new AppError('invalid_input', '--dry-run is for review files; a JSON import is checked record by record as it is written');
        await importJsonFile(config(), paths[0]!, options);
      } else if (format === 'text') {
        await importFiles(config(), paths, options);
      } else {
        await importList(config(), format as ListFormat, paths, options);
      }
    });

  registerImportsCommands(program, config);
  registerUserCommands(program, config);

  program
    .command('export')
    .description('write everything as JSON (the backup format), or reviews and lists as CSV, a ZIP of Markdown files or a MyAnimeList XML (see docs/export.md)')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv', 'markdown', 'mal']).default('json'))
    .option('--author <name>', 'csv, markdown, mal: only this author\'s reviews and list entries')
    .option('-o, --output <file>', 'write to a file instead of standard output (required for markdown)')
    .action(async (options: { format: 'json' | 'csv' | 'markdown' | 'mal'; author?: string; output?: string }) => {
      if (options.format === 'json' && options.author !== undefined) {
        throw new AppError('invalid_input', '--author is for the csv, markdown and mal exports; the JSON backup holds every author');
      }
      if (options.format === 'markdown' && !options.output) {
        throw new AppError('invalid_input', 'the Markdown export is a ZIP archive: name its file with --output FILE.zip');
      }
      await withDb(config(), async (db) => {
        const selection = options.author === undefined ? {} : { author: options.author };
        if (options.format === 'markdown') {
          const { exportMarkdown } = await exportsService();
          const { written } = await exportMarkdown(db, options.output!, selection);
          process.stderr.write(`exported ${written} review${written === 1 ? '' : 's'} to ${options.output}\n`);
          return;
        }
        const write = async (out: Writable): Promise<string> => {
          if (options.format === 'json') {
            const counts = await (await interchangeExport()).exportJson(db, out);
            return Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ');
          }
          if (options.format === 'csv') {
            const { written } = await (await exportsService()).exportCsv(db, out, selection);
            return `${written} row${written === 1 ? '' : 's'}`;
          }
          const { written, skipped, drafts } = await (await exportsService()).exportMalXml(db, out, selection);
          return (
            `${written} entr${written === 1 ? 'y' : 'ies'}` +
            (skipped ? `; ${skipped} left out for having no MyAnimeList id` : '') +
            (drafts ? `; the text and score of ${drafts} draft review${drafts === 1 ? '' : 's'} left out` : '')
          );
        };
        if (!options.output) {
          const summary = await write(process.stdout);
          process.stderr.write(`exported ${summary}\n`);
          return;
        }
        // Write beside the target and rename, so a failed export never leaves half a file under its name.
        const partial = `${options.output}.partial`;
        const out = createWriteStream(partial);
        try {
          const summary = await write(out);
          await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
          await rename(partial, options.output);
          process.stderr.write(`exported ${summary} to ${options.output}\n`);
        } catch (error) {
          out.destroy();
          await rm(partial, { force: true });
          throw error;
        }
      });
    });

  program
    .command('render')
    .description("render the reviews that have no stored rendering, and store works' lists and the pages of works and reviews (the server also does this)")
    .action(async () => {
      const [{ renderPendingReviews }, { storePendingWorkLists }, { storePendingPages }] = await Promise.all([reviewsService(), workLists(), storedPages()]);
      const c = config();
      await withDb(c, async (db) => {
        const bar = progress('rendering');
        const n = await renderPendingReviews(db, { batchSize: 500, onProgress: (done) => bar.tick(done) });
        bar.done();
        process.stderr.write(n ? `rendered ${n} review${n === 1 ? '' : 's'}\n` : 'every review is rendered\n');
        const works = await storePendingWorkLists(db, { batchSize: 500 });
        if (works) process.stderr.write(`stored the lists of ${works} work${works === 1 ? '' : 's'}\n`);
        const pagesBar = progress('storing pages');
        const pages = await storePendingPages(await siteOf(db, c), { batchSize: 50, onProgress: (done: number) => pagesBar.tick(done) });
        pagesBar.done();
        if (pages) process.stderr.write(`stored ${pages} page${pages === 1 ? '' : 's'} of works and reviews\n`);
      });
    });

  program
    .command('migrate')
    .description('apply pending database migrations (the server also does this on start)')
    .action(async () => {
      const db = await openDatabase(config().databaseUrl, { migrate: false });
      try {
        const applied = await migrateToLatest(db.kysely);
        process.stderr.write(applied.length ? `applied ${applied.join(', ')}\n` : 'the database is up to date\n');
      } finally {
        await db.close();
      }
    });

  program
    .command('config')
    .description('print the configuration, secrets hidden')
    .action(() => {
      for (const o of describeConfig(config())) process.stdout.write(`${o.env}=${o.value}\t# ${o.description}\n`);
    });

  // A reader that stops early (`kansou export | head`) is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof ExitCode) {
      process.exitCode = error.code;
      return;
    }
    if (error instanceof AppError) {
      process.stderr.write(`kansou: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`kansou: ${(error as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
