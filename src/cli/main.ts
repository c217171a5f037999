/**
 * The `kansou` command: serving, importing, exporting and migrating. It calls the same
 * services as the server.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { describeConfig, loadConfig, type Config } from '../config.js';
import { openDatabase, type Db } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { AppError } from '../shared/errors.js';
import { expandInputs } from '../import/files.js';
import { importTextFiles, type FileReport } from '../import/plaintext.import.js';

// The server, the JSON format and the renderer are loaded by the commands that use them: loading
// every module took longer than importing a few thousand review files.
const server = () => import('../server/app.js');
const interchangeExport = () => import('../interchange/interchange.export.js');
const interchangeImport = () => import('../interchange/interchange.import.js');
const reviewsService = () => import('../reviews/reviews.service.js');

class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

async function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(config.databaseUrl);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function progress(label: string, total?: number) {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    tick(done: number) {
      const now = Date.now();
      if (!tty || now - last < 100) return;
      last = now;
      process.stderr.write(`\r${label} ${done}${total ? `/${total}` : ''}`);
    },
    done() {
      if (tty && last) process.stderr.write('\r\x1b[K');
    },
  };
}

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
  const program = new Command('kansou').description('Kansou, a self-hosted review platform for anime, series and films.');
  const config = () => loadConfig();

  program
    .command('serve')
    .description('start the web server (DATABASE_URL, PORT, HOST from the environment)')
    .action(async () => {
      const c = config();
      const [{ buildApp }, { renderPendingReviews }] = await Promise.all([server(), reviewsService()]);
      const db = await openDatabase(c.databaseUrl, { sqliteCacheMb: c.sqliteCacheMb });
      const app = await buildApp({ db, logLevel: c.logLevel, site: { name: c.siteName, publicUrl: c.publicUrl } });
      // Reviews a restore or an upgrade left unrendered are rendered a small batch at a time,
      // between requests; pages render them on the spot until then.
      const stop = new AbortController();
      let rendering: Promise<unknown> = Promise.resolve();
      app.addHook('onClose', async () => {
        stop.abort();
        await rendering;
        await db.close();
      });
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());
      await app.listen({ port: c.port, host: c.host });
      rendering = renderPendingReviews(db, { batchSize: 20, signal: stop.signal, pause: () => new Promise((r) => setImmediate(r)) }).then(
        (n) => n > 0 && app.log.info(`rendered ${n} review${n === 1 ? '' : 's'} that had no stored rendering`),
        (error: unknown) => app.log.error({ err: error }, 'rendering reviews in the background failed; pages render them on view'),
      );
    });

  program
    .command('import')
    .description('import review files (text, Markdown) or a Kansou JSON export')
    .argument('<paths...>', 'files, folders or globs; for --format json, one file or - for standard input')
    .addOption(new Option('--format <format>', 'input format').choices(['auto', 'text', 'json']).default('auto'))
    .option('--author <name>', 'author of the imported reviews (default: KANSOU_OWNER)')
    .option('--dry-run', 'parse and report, write nothing')
    .option('--json', 'print the report as JSON')
    .action(async (paths: string[], options: { format: string; author?: string; dryRun?: boolean; json?: boolean }) => {
      const isJson = options.format === 'json' || (options.format === 'auto' && paths.length === 1 && /\.json$/i.test(paths[0]!));
      if (isJson) {
        if (paths.length !== 1) throw new AppError('invalid_input', 'a JSON import takes exactly one file');
        if (options.dryRun) throw new AppError('invalid_input', '--dry-run is for review files; a JSON import is checked record by record as it is written');
        await importJsonFile(config(), paths[0]!, options);
      } else {
        await importFiles(config(), paths, options);
      }
    });

  program
    .command('export')
    .description('write everything as one JSON document (the backup format, see docs/interchange.md)')
    .addOption(new Option('--format <format>', 'output format').choices(['json']).default('json'))
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action(async (options: { output?: string }) => {
      const { exportJson } = await interchangeExport();
      await withDb(config(), async (db) => {
        if (!options.output) {
          await exportJson(db, process.stdout);
          return;
        }
        // Write beside the target and rename, so a failed export never leaves half a backup under its name.
        const partial = `${options.output}.partial`;
        const out = createWriteStream(partial);
        const counts = await exportJson(db, out);
        await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
        await rename(partial, options.output);
        process.stderr.write(`exported ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')} to ${options.output}\n`);
      });
    });

  program
    .command('render')
    .description('render the reviews that have no stored rendering (the server also does this on start)')
    .action(async () => {
      const { renderPendingReviews } = await reviewsService();
      await withDb(config(), async (db) => {
        const bar = progress('rendering');
        const n = await renderPendingReviews(db, { batchSize: 500, onProgress: (done) => bar.tick(done) });
        bar.done();
        process.stderr.write(n ? `rendered ${n} review${n === 1 ? '' : 's'}\n` : 'every review is rendered\n');
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
