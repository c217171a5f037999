/**
 * `npm run bench [-- text json api works bare profile] [options]`: the performance targets,
 * measured. With no measurement named, runs text, json, api (with works) and bare.
 *
 *   text     5,000 plain-text review files, imported with importTextFiles (what the CLI calls; and
 *            on one thread), with importTextFile one by one, and with `node bin/kansou.js import DIR`
 *   json     a 100,000-review interchange document imported with importJson, in a child process,
 *            with its RSS sampled every 100 ms
 *   api      GET /api/v1/reviews/ID on the 1,000,000-review database: server on core 0,
 *            autocannon on core 1, random published ids, 10/50/100 connections
 *   works    GET /api/v1/works/SLUG and GET /api/v1/works?q=WORD (informational; runs with api)
 *   pages    the site's review page /reviews/ID and work page /works/SLUG (random ids and slugs,
 *            10/50/100 connections), and the home page and /search?q=WORD (informational)
 *   bare     the app against bare Fastify servers with one prepared better-sqlite3 statement,
 *            loaded in turn, round after round (see bench/lib/bare-server.ts for the modes)
 *   profile  the app and the bare `prepared` server under load with --cpu-prof (not by default)
 *   lists    a 100,000-entry MyAnimeList export (.xml.gz) and a Letterboxd export ZIP (50,000 films,
 *            ~120,000 CSV rows) imported by `node bin/kansou.js import` (the built dist/), into
 *            SQLite and into PostgreSQL (a throwaway server, unless --pg-admin-url names one),
 *            with the command's peak RSS
 *   signin   the owner signing in again and again (POST /login) while an attacker sends 20
 *            wrong passwords a second for the same account from other addresses: one address,
 *            then a new address for every guess; SQLite and PostgreSQL, server on core 0
 *
 * Options:
 *   --reviews N          API dataset size (default 1000000: bench/data/kansou.db; else bench/data/kansou-N.db)
 *   --db FILE            API database (overrides --reviews)
 *   --database-url URL   serve api/pages from this PostgreSQL database instead (the ids, slugs
 *                        and counts are read from it; restore a dataset's document into it first)
 *   --json-reviews N     size of the JSON import document (default 100000)
 *   --mal-entries N      size of the MyAnimeList export (default 100000)
 *   --letterboxd-films N films in the Letterboxd export (default 50000)
 *   --pg-admin-url URL   PostgreSQL server for the lists and signin measurements (a database is created on it)
 *   --signin-seconds S   seconds per sign-in scenario (default 30)
 *   --files N            number of review files (default 5000)
 *   --duration S         seconds per API load run (default 20; the bare comparison uses half)
 *   --warmup S           warm-up seconds before the API runs (default 5)
 *   --connections LIST   API connection counts (default 10,50,100)
 *   --repeat N           runs per connection count; the median is reported (default 1)
 *   --rounds N           rounds of the bare comparison (default 3)
 *   --compare LIST       bare modes to compare with the app (default prepared,raw; also prepared-logger, app-data)
 *   --info-duration S    seconds for the informational works runs (default 10)
 *
 * Results: a table on stdout and bench/results.json. The API runs report, besides autocannon's
 * figures, the server's CPU time per request, each core's busy share and the load average, so a
 * run disturbed by other work on the machine can be recognised.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { BENCH_DIR, DATA_DIR, defaultDbPath, ensureDocument } from './generate.js';
import type { LoadOptions, LoadResult } from './lib/load-worker.js';
import { formatSummary, summarise } from './lib/profile-summary.js';
import { defaultOptions } from './lib/synth.js';
import { writeReviewFiles } from './lib/textfiles.js';
import { letterboxdExport, malExport } from './lib/list-files.js';
import { attack, ownerSignIns, percentile, postForm } from './lib/signin-load.js';
import { EN_NOUN, ROMAJI_NOUN, TAGS } from './lib/vocab.js';

const ROOT = resolve(BENCH_DIR, '..');
const MEASUREMENTS = ['text', 'json', 'lists', 'signin', 'api', 'works', 'pages', 'bare', 'profile'] as const;
type Measurement = (typeof MEASUREMENTS)[number];

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    reviews: { type: 'string' },
    db: { type: 'string' },
    'database-url': { type: 'string' },
    'profile-page': { type: 'string' },
    'json-reviews': { type: 'string' },
    'mal-entries': { type: 'string' },
    'letterboxd-films': { type: 'string' },
    'pg-admin-url': { type: 'string' },
    'signin-seconds': { type: 'string' },
    files: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    'info-duration': { type: 'string' },
    compare: { type: 'string' },
    repeat: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v.replace(/_/g, '')));
const selected = new Set<Measurement>();
for (const p of positionals) {
  if (!(MEASUREMENTS as readonly string[]).includes(p)) {
    console.error(`unknown measurement "${p}" (choose from ${MEASUREMENTS.join(', ')})`);
    process.exit(2);
  }
  selected.add(p as Measurement);
}
if (selected.size === 0) for (const m of ['text', 'json', 'lists', 'signin', 'api', 'works', 'pages', 'bare'] as const) selected.add(m);
if (selected.has('api')) selected.add('works');

const apiReviews = num(args.reviews, 1_000_000);
const apiDb = resolve(args.db ?? defaultDbPath(DATA_DIR, apiReviews));
/** Shown after each page or API row: which database served it. */
const servedBy = args['database-url'] ? ' PostgreSQL' : '';
const jsonReviews = num(args['json-reviews'], 100_000);
const fileCount = num(args.files, 5000);
const duration = num(args.duration, 20);
const warmup = num(args.warmup, 5);
const connectionList = (args.connections ?? '10,50,100').split(',').map(Number);
const infoDuration = num(args['info-duration'], 10);
const repeat = num(args.repeat, 1);
const rounds = num(args.rounds, 3);
const compareModes = (args.compare ?? 'prepared,raw').split(',').filter(Boolean);

const log = (line: string) => process.stderr.write(`${line}\n`);
const MB = (bytes: number) => Math.round(bytes / 1048576);

// ── Results ──────────────────────────────────────────────────────────────────────────────

interface Row {
  /** Which measurement made the row: text, json, api, compare, profile. */
  section?: string;
  measurement: string;
  figure: string;
  value: string;
  target?: string;
  met?: boolean;
}
let currentSection = '';
/** Rows remember the measurement that made them, so results.json can keep other measurements' rows. */
class Rows extends Array<Row> {
  override push(...items: Row[]): number {
    return super.push(...items.map((r) => ({ section: currentSection, ...r })));
  }
}
const rows = new Rows();
const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryMB: MB(totalmem()), node: process.version, platform: process.platform },
};
const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function printTable() {
  const header: Row = { measurement: 'measurement', figure: 'figure', value: 'value', target: 'target' };
  const all = [header, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => String(r[k] ?? '').length));
  const line = (r: Row, met: string) =>
    `${r.measurement.padEnd(w('measurement'))}  ${r.figure.padEnd(w('figure'))}  ${r.value.padStart(w('value'))}  ${(r.target ?? '').padEnd(w('target'))}  ${met}`;
  console.log('');
  console.log(line(header, 'met'));
  console.log('-'.repeat(w('measurement') + w('figure') + w('value') + w('target') + 12));
  for (const r of rows) console.log(line(r, r.met === undefined ? '' : r.met ? 'yes' : 'NO'));
}

/**
 * Writes bench/results.json. Measurements not run this time keep their previous figures (marked
 * with the time they were measured), so `npm run bench -- api` does not erase the import figures.
 */
function saveResults() {
  results.finishedAt = new Date().toISOString();
  const file = join(BENCH_DIR, 'results.json');
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // first run
  }
  const table: Row[] = [...rows];
  const previousTable = (previous.table as Row[] | undefined) ?? [];
  for (const section of ['text', 'json', 'api', 'compare', 'profile']) {
    if (section in results || !(section in previous)) continue;
    const old = previous[section] as Record<string, unknown>;
    results[section] = { ...old, measuredAt: old.measuredAt ?? previous.finishedAt };
    table.push(...previousTable.filter((r) => r.section === section));
  }
  results.table = table;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

// ── Child processes: every one is stopped, whatever happens ─────────────────────────────

const children = new Set<ChildProcess>();
function killAll() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid) c.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

/** User + system CPU seconds of a process so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Per-core jiffies (busy, total) from /proc/stat, to see what else ran on the cores during a run. */
function coreTimes(): { busy: number; total: number }[] {
  try {
    return readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((l) => /^cpu\d+ /.test(l))
      .map((l) => {
        const f = l.trim().split(/\s+/).slice(1).map(Number);
        const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
        const idle = (f[3] ?? 0) + (f[4] ?? 0);
        return { busy: total - idle, total };
      });
  } catch {
    return [];
  }
}

function coreBusyPercent(before: { busy: number; total: number }[], after: { busy: number; total: number }[]): number[] {
  return after.map((a, i) => {
    const b = before[i];
    return b && a.total > b.total ? Math.round(((a.busy - b.busy) / (a.total - b.total)) * 100) : NaN;
  });
}

/** Bytes a process really fetched from storage (page-cache misses), from /proc/PID/io. */
function diskReadBytes(pid: number): number {
  try {
    const m = /^read_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Reads the database file once so the runs start from the page cache. (This VM's DAMON
 * reclaim pages out file pages unused for about a minute, so a 5 GB database is never wholly
 * cached on its own; the disk reads each run still made are reported with it.)
 */
async function prewarm(path: string): Promise<number> {
  const t0 = performance.now();
  for (const f of [path, `${path}-wal`]) {
    if (!existsSync(f)) continue;
    for await (const _chunk of createReadStream(f, { highWaterMark: 1 << 20 })) {
      // reading is the point
    }
  }
  return (performance.now() - t0) / 1000;
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

type ApiRun = LoadResult & {
  serverCpuPercent: number;
  /** Server CPU time per answered request: steadier than requests/s on a noisy machine. */
  serverCpuMicrosPerRequest: number;
  /** Busy % of each core over the run, whoever used it: core 0 well above the server's CPU % means something else ran there. */
  coreBusyPercent: number[];
  loadAverageBefore: number[];
  /** What the server read from storage during the run (page-cache misses). */
  serverDiskReadMB: number;
};

interface Server {
  child: ChildProcess;
  origin: string;
  label: string;
  output: () => string;
  stop: () => Promise<void>;
}

async function startServer(label: string, command: string[], env: Record<string, string>, port: number): Promise<Server> {
  const child = spawn('taskset', ['-c', '0', ...command], { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const origin = `http://127.0.0.1:${port}`;
  const server: Server = { child, origin, label, output: () => output, stop: () => stopProcess(child) };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${label} exited before it was healthy:\n${output.trim()}`);
    try {
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await server.stop();
  throw new Error(`${label} was not healthy after 60 s:\n${output.trim()}`);
}

/** autocannon in a child process on core 1; the server's CPU use over the run is measured from /proc. */
async function runLoad(server: Server, options: Omit<LoadOptions, 'origin'> & { prewarm?: string }): Promise<ApiRun> {
  const { prewarm: _prewarm, ...load } = options;
  const full: LoadOptions = { ...load, origin: server.origin };
  if (options.prewarm) await prewarm(options.prewarm);
  const cores0 = coreTimes();
  const load0 = loadAverage();
  const cpu0 = cpuSeconds(server.child.pid!);
  const disk0 = diskReadBytes(server.child.pid!);
  const t0 = performance.now();
  const child = spawn('taskset', ['-c', '1', process.execPath, '--import', 'tsx', join(BENCH_DIR, 'lib', 'load-worker.ts'), JSON.stringify(full)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), (options.duration + 60) * 1000);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(timer);
  children.delete(child);
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = cpuSeconds(server.child.pid!);
  const disk1 = diskReadBytes(server.child.pid!);
  const cores = coreBusyPercent(cores0, coreTimes());
  const line = stdout.trim().split('\n').pop();
  if (code !== 0 || !line) throw new Error(`load generator failed (exit ${code}): ${stderr.trim()}`);
  const result = JSON.parse(line) as LoadResult;
  // Over the seconds autocannon ran (the worker's start-up is left out; requests still in flight
  // at the end can push this a little over 100%).
  const serverCpuPercent = ((cpu1 - cpu0) / Math.min(wall, result.wallSeconds || options.duration)) * 100;
  return {
    ...result,
    serverCpuPercent,
    serverCpuMicrosPerRequest: result.total ? ((cpu1 - cpu0) * 1e6) / result.total : NaN,
    coreBusyPercent: cores,
    loadAverageBefore: load0,
    serverDiskReadMB: (disk1 - disk0) / 1048576,
  };
}

// ── Build ────────────────────────────────────────────────────────────────────────────────

function newestMtime(dir: string, filter: (name: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, filter));
    else if (filter(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuilt(): { built: boolean; message: string } {
  const entry = join(ROOT, 'dist', 'main.js');
  const srcTime = newestMtime(join(ROOT, 'src'), (n) => /\.tsx?$/.test(n) && !/\.test\.tsx?$/.test(n));
  const distTime = existsSync(entry) ? newestMtime(join(ROOT, 'dist'), (n) => n.endsWith('.js')) : 0;
  if (distTime >= srcTime) return { built: false, message: 'dist/ is up to date' };
  log('dist/ is older than src/: npm run build…');
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status}):\n${out}`);
  return { built: true, message: 'built' };
}

// ── text ─────────────────────────────────────────────────────────────────────────────────

async function benchText() {
  currentSection = 'text';
  const parser = join(ROOT, 'src', 'import', 'plaintext', 'plaintext.parser.ts');
  if (!existsSync(parser)) {
    log(`text: skipped: the plain-text parser (${relative(ROOT, parser)}) does not exist yet`);
    rows.push({ measurement: 'text import', figure: 'files/s', value: 'skipped', target: '≥ 2,000 files/s' });
    results.text = { skipped: 'src/import/plaintext/plaintext.parser.ts is missing' };
    return;
  }
  // Looked up loosely: this module's API is still moving (importTextFiles, which writes files in
  // batches of savepoints, appeared while this benchmark was written).
  type Report = { source: string; ok: boolean; error: string | null; result?: { review: { action: string }; work: { action: string } } };
  const mod = (await import('../src/import/plaintext.import.js')) as unknown as {
    importTextFile: (db: unknown, path: string, author: string) => Promise<Report>;
    importTextFiles?: (
      db: unknown,
      files: { path: string; missing: boolean }[],
      author: string,
      onReport?: (report: Report) => void,
      options?: { worker?: boolean },
    ) => Promise<Report[]>;
  };
  const { openDatabase } = await import('../src/db/connection.js');
  const tmp = mkdtempSync(join(tmpdir(), 'kansou-bench-text-'));
  try {
    const folder = join(tmp, 'reviews');
    log(`text: writing ${fileCount} review files to ${folder}…`);
    const written = writeReviewFiles(folder, fileCount);
    // Listed here rather than with the CLI's expandInputs (whose shape is still changing).
    const files = readdirSync(folder)
      .sort()
      .map((f) => join(folder, f));
    results.text = { files: files.length, bytes: written.bytes };

    const variants: { name: string; figure: string; run: (db: unknown) => Promise<Report[]> }[] = [];
    if (mod.importTextFiles) {
      const importTextFiles = mod.importTextFiles;
      const list = files.map((path) => ({ path, missing: false }));
      variants.push({
        name: 'batched',
        figure: 'files/s, importTextFiles (what the CLI calls: reading on a worker thread)',
        run: (db) => importTextFiles(db, list, 'Bench Author'),
      });
      variants.push({
        name: 'batchedOneThread',
        figure: 'files/s, importTextFiles on one thread (worker: false)',
        run: (db) => importTextFiles(db, list, 'Bench Author', () => {}, { worker: false }),
      });
    }
    variants.push({
      name: 'oneByOne',
      figure: `files/s, importTextFile one by one${mod.importTextFiles ? '' : ' (what the CLI calls)'}`,
      run: async (db) => {
        const reports: Report[] = [];
        for (const file of files) reports.push(await mod.importTextFile(db, file, 'Bench Author'));
        return reports;
      },
    });
    for (const variant of variants) {
      const dbPath = join(tmp, `${variant.name}.db`);
      const db = await openDatabase(dbPath);
      const cores0 = coreTimes();
      const load0 = loadAverage();
      const started = performance.now();
      const reports = await variant.run(db);
      const seconds = (performance.now() - started) / 1000;
      const cores = coreBusyPercent(cores0, coreTimes());
      await db.close();
      const actions: Record<string, number> = {};
      const errors: string[] = [];
      let ok = 0;
      for (const report of reports) {
        if (report.ok) {
          ok++;
          const a = `review ${report.result?.review.action}, work ${report.result?.work.action}`;
          actions[a] = (actions[a] ?? 0) + 1;
        } else if (errors.length < 5) errors.push(`${relative(folder, report.source)}: ${report.error}`);
      }
      const perSecond = files.length / seconds;
      log(`text (${variant.name}): ${files.length} files in ${seconds.toFixed(2)} s = ${fmt(perSecond)} files/s; ${ok} ok; ${JSON.stringify(actions)}; cores busy ${cores.map((c) => `${c}%`).join('/')} (load before ${load0.join(' ')})`);
      for (const e of errors) log(`  ✗ ${e}`);
      rows.push({ measurement: 'text import', figure: variant.figure, value: fmt(perSecond), target: '≥ 2,000 files/s', met: perSecond >= 2000 });
      rows.push({ measurement: 'text import', figure: `  files imported ok (${variant.name})`, value: `${ok}/${files.length}` });
      (results.text as Record<string, unknown>)[variant.name] = { seconds, filesPerSecond: perSecond, ok, actions, firstErrors: errors, coreBusyPercent: cores, loadAverageBefore: load0 };
      rmSync(dbPath, { force: true });
    }

    // The same files through the real command, end to end (start-up and migrations included).
    const built = ensureBuilt();
    const cliDb = join(tmp, 'cli.db');
    log(`text: the same files with \`node bin/kansou.js import\` into a fresh database…`);
    const t0 = performance.now();
    const cli = spawnSync(process.execPath, ['bin/kansou.js', 'import', folder, '--author', 'Bench Author'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: cliDb, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      timeout: 30 * 60_000,
    });
    const cliSeconds = (performance.now() - t0) / 1000;
    const summary = (cli.stderr ?? '').trim().split('\n').filter((l) => /files?:/.test(l)).pop() ?? '';
    if (cli.status === 0 || /imported/.test(summary)) {
      const cliRate = files.length / cliSeconds;
      log(`text: kansou import: ${files.length} files in ${cliSeconds.toFixed(2)} s = ${fmt(cliRate)} files/s (${summary})`);
      rows.push({ measurement: 'text import', figure: '`kansou import DIR` end to end, files/s', value: fmt(cliRate), target: '≥ 2,000 files/s', met: cliRate >= 2000 });
      (results.text as Record<string, unknown>).cli = { seconds: cliSeconds, filesPerSecond: cliRate, exit: cli.status, summary, build: built.message };
    } else {
      log(`text: kansou import failed (exit ${cli.status}): ${(cli.stderr ?? '').trim().split('\n').slice(-5).join(' | ')}`);
      (results.text as Record<string, unknown>).cli = { failed: cli.status, stderr: (cli.stderr ?? '').slice(-2000), build: built.message };
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ── json ─────────────────────────────────────────────────────────────────────────────────

async function benchJson() {
  currentSection = 'json';
  const info = await ensureDocument(defaultOptions(jsonReviews), DATA_DIR, log);
  log(`json: ${info.reused ? 'reusing' : 'wrote'} ${relative(ROOT, info.path)} (${MB(info.bytes)} MiB, ${info.counts.reviews} reviews, ${info.counts.works} works)`);
  const tmp = mkdtempSync(join(tmpdir(), 'kansou-bench-json-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'lib', 'json-import-child.ts'), info.path, join(tmp, 'kansou.db'), String(info.bytes), String(info.reviewsOffset)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    const samples: { t: number; rss: number }[] = [];
    const cores0 = coreTimes();
    const load0 = loadAverage();
    const t0 = performance.now();
    const sampler = setInterval(() => {
      const rss = rssOf(child.pid!);
      if (!Number.isNaN(rss)) samples.push({ t: (performance.now() - t0) / 1000, rss });
    }, 100);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    clearInterval(sampler);
    children.delete(child);
    const cores = coreBusyPercent(cores0, coreTimes());
    const events = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const done = events.find((e) => e.event === 'done') as
      | { seconds: number; reviewSeconds: number; rss: number; maxRss: number; cpuSeconds: number; failures: number; firstFailures: unknown[]; counts: unknown }
      | undefined;
    if (code !== 0 || !done) throw new Error(`json import child failed (exit ${code}): ${stderr.trim()}`);
    const milestones = events.filter((e) => e.event === 'milestone') as { percent: number; t: number; rss: number }[];
    const reviews = info.counts.reviews ?? 0;
    const perSecond = reviews / done.seconds;
    const phasePerSecond = reviews / done.reviewSeconds;
    const sampledPeak = Math.max(0, ...samples.map((s) => s.rss));
    const peak = Math.max(sampledPeak, done.maxRss);
    const at = [...milestones.map((m) => ({ percent: m.percent, rss: m.rss })), { percent: 100, rss: done.rss }];
    log(`json: ${reviews} reviews in ${done.seconds.toFixed(1)} s = ${fmt(perSecond)} reviews/s (reviews section alone ${fmt(phasePerSecond)}/s); peak RSS ${MB(peak)} MiB; ${done.failures} failures`);
    rows.push({ measurement: 'json import', figure: `reviews/s (${fmt(reviews)} reviews, whole document)`, value: fmt(perSecond), target: '≥ 20,000 reviews/s', met: perSecond >= 20000 });
    rows.push({ measurement: 'json import', figure: 'reviews/s (reviews section alone)', value: fmt(phasePerSecond) });
    rows.push({ measurement: 'json import', figure: 'peak RSS (MiB)', value: fmt(MB(peak)), target: 'flat' });
    rows.push({ measurement: 'json import', figure: 'RSS at 25/50/75/100% (MiB)', value: at.map((a) => MB(a.rss)).join(' / ') });
    if (done.failures) rows.push({ measurement: 'json import', figure: 'FAILED records', value: String(done.failures), met: false });
    results.json = {
      document: relative(ROOT, info.path),
      bytes: info.bytes,
      counts: info.counts,
      seconds: done.seconds,
      reviewSeconds: done.reviewSeconds,
      reviewsPerSecond: perSecond,
      reviewPhasePerSecond: phasePerSecond,
      peakRssBytes: peak,
      sampledPeakRssBytes: sampledPeak,
      maxRssBytes: done.maxRss,
      rssAt: at,
      rssSamples: samples.filter((_, i) => i % 10 === 0),
      failures: done.failures,
      firstFailures: done.firstFailures,
      childCpuSeconds: done.cpuSeconds,
      coreBusyPercent: cores,
      loadAverageBefore: load0,
    };
    log(`json: the importer used ${done.cpuSeconds.toFixed(1)} s of CPU in ${done.seconds.toFixed(1)} s; cores busy ${cores.map((c) => `${c}%`).join('/')} (load before ${load0.join(' ')})`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ── lists ────────────────────────────────────────────────────────────────────────────────

/** A fresh PostgreSQL database for one import: on --pg-admin-url's server, or a throwaway server. */
async function postgresForLists(): Promise<{ admin: string; stop: () => void } | undefined> {
  if (args['pg-admin-url']) return { admin: args['pg-admin-url'], stop: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'kansou-bench-pg-'));
  spawnSync('chmod', ['755', dir]);
  const port = String(await freePort());
  const started = spawnSync('bash', [join(ROOT, 'scripts', 'throwaway-postgres.sh'), 'start', join(dir, 'data'), port], { encoding: 'utf8' });
  if (started.status !== 0) {
    log(`lists: no PostgreSQL server could be started (${started.stderr.trim().split('\n')[0]}); measuring SQLite only`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    admin: started.stdout.trim(),
    stop: () => {
      spawnSync('bash', [join(ROOT, 'scripts', 'throwaway-postgres.sh'), 'stop', join(dir, 'data')]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createPgDatabase(admin: string, name: string): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`drop database if exists ${name}`);
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** utime + stime of a process, in seconds, from /proc (NaN once it is gone). */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * One list import as a user runs it: `node bin/kansou.js import --format F FILE` from the built
 * dist/, into `target`, its memory sampled from /proc every 100 ms. The time includes the
 * command's start (about 0.3 s).
 */
async function listImportChild(format: string, file: string, target: string) {
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'kansou.js'), 'import', '--format', format, '--author', 'Bench Author', file], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: target, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let peakRss = 0;
  let cpuSeconds = 0;
  const sampler = setInterval(() => {
    const rss = rssOf(child.pid!);
    if (!Number.isNaN(rss)) peakRss = Math.max(peakRss, rss);
    const cpu = cpuOf(child.pid!);
    if (!Number.isNaN(cpu)) cpuSeconds = cpu;
  }, 100);
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  children.delete(child);
  const summary = /— (\w+)\n\s+(\d+) entries: (\d+) created, (\d+) updated, (\d+) unchanged, (\d+) skipped, (\d+) failed/.exec(stderr);
  if (code !== 0 || !summary || summary[1] !== 'done') throw new Error(`${format} import failed (exit ${code}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  const [entries, created, updated, unchanged, skipped, failed] = summary.slice(2).map(Number) as [number, number, number, number, number, number];
  return { seconds, peakRss, cpuSeconds, counts: { entries, created, updated, unchanged, skipped, failed } };
}

async function benchLists() {
  currentSection = 'lists';
  ensureBuilt();
  const malEntries = num(args['mal-entries'], 100_000);
  const films = num(args['letterboxd-films'], 50_000);
  const mal = await malExport(join(DATA_DIR, `mal-${malEntries}.xml.gz`), malEntries);
  const lb = await letterboxdExport(join(DATA_DIR, `letterboxd-${films}.zip`), films);
  log(`lists: ${mal.reused ? 'reusing' : 'wrote'} ${relative(ROOT, mal.path)} (${MB(mal.bytes)} MiB), ${lb.reused ? 'reusing' : 'wrote'} ${relative(ROOT, lb.path)} (${fmt(lb.rows)} rows)`);
  const pg = await postgresForLists();
  const tmp = mkdtempSync(join(tmpdir(), 'kansou-bench-lists-'));
  const measured: Record<string, unknown> = {};
  try {
    const cases = [
      { format: 'mal', file: mal.path, unit: 'entries', size: malEntries, target: 20000 },
      { format: 'letterboxd', file: lb.path, unit: 'rows', size: lb.rows, target: 10000 },
    ];
    for (const c of cases) {
      for (const database of pg ? ['SQLite', 'PostgreSQL'] : ['SQLite']) {
        const target = database === 'SQLite' ? join(tmp, `${c.format}.db`) : await createPgDatabase(pg!.admin, `kansou_bench_${c.format}`);
        const r = await listImportChild(c.format, c.file, target);
        const perSecond = c.size / r.seconds;
        log(`lists: ${c.format} on ${database}: ${fmt(c.size)} ${c.unit} in ${r.seconds.toFixed(1)} s = ${fmt(perSecond)} ${c.unit}/s, peak RSS ${MB(r.peakRss)} MiB, ${r.cpuSeconds.toFixed(1)} s CPU; ${JSON.stringify(r.counts)}`);
        rows.push({ measurement: `${c.format} import (${database})`, figure: `${c.unit}/s`, value: fmt(perSecond), target: `≥ ${fmt(c.target)}`, met: perSecond >= c.target });
        rows.push({ measurement: `${c.format} import (${database})`, figure: 'peak RSS (MiB)', value: fmt(MB(r.peakRss)), target: '< 300', met: MB(r.peakRss) < 300 });
        measured[`${c.format}-${database}`] = { ...r, perSecond, size: c.size, unit: c.unit };
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    pg?.stop();
  }
  results.lists = measured;
}

// ── api, works, bare, profile ───────────────────────────────────────────────────────────

interface Lists {
  dir: string;
  reviewIds: string;
  workSlugs: string;
  words: string;
  published: number;
  reviews: number;
}

function writeLists(dbPath: string): Lists {
  const dir = mkdtempSync(join(tmpdir(), 'kansou-bench-api-'));
  const sqlite = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const ids = sqlite.prepare("select id from reviews where status = 'published'").pluck().all() as number[];
    const reviews = sqlite.prepare('select count(*) from reviews').pluck().get() as number;
    const slugs = sqlite.prepare('select slug from works').pluck().all() as string[];
    return saveLists(dir, ids, reviews, slugs);
  } finally {
    sqlite.close();
  }
}


/** Writes the load generator's lists (published ids, slugs, search words) into `dir`. */
function saveLists(dir: string, ids: number[], reviews: number, slugs: string[]): Lists {
  const words = [...new Set([...EN_NOUN, ...ROMAJI_NOUN, ...TAGS.filter((t) => !t.includes(' '))].map((w) => w.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()))];
  const lists: Lists = { dir, reviewIds: join(dir, 'review-ids'), workSlugs: join(dir, 'work-slugs'), words: join(dir, 'words'), published: ids.length, reviews };
  writeFileSync(lists.reviewIds, ids.join('\n'));
  writeFileSync(lists.workSlugs, slugs.join('\n'));
  writeFileSync(lists.words, words.join('\n'));
  return lists;
}

/** The same lists from a PostgreSQL database, for one that holds only part of the document. */
async function writeListsFromPostgres(url: string): Promise<Lists> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'kansou-bench-api-'));
    const ids = (await client.query<{ id: number }>("select id from reviews where status = 'published'")).rows.map((r) => r.id);
    const reviews = Number((await client.query<{ n: string }>('select count(*) as n from reviews')).rows[0]!.n);
    const slugs = (await client.query<{ slug: string }>('select slug from works')).rows.map((r) => r.slug);
    return saveLists(dir, ids, reviews, slugs);
  } finally {
    await client.end();
  }
}

function describeRun(r: ApiRun): string {
  return `${fmt(r.requestsPerSecond.mean)} req/s (±${fmt(r.requestsPerSecond.stddev)}), p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms, non-2xx ${r.non2xx}, errors ${r.errors}; server CPU ${fmt(r.serverCpuPercent)}% (${fmt(r.serverCpuMicrosPerRequest)} µs/request), client CPU ${fmt(r.clientCpuPercent)}%, cores busy ${r.coreBusyPercent.map((c) => `${c}%`).join('/')}, server disk reads ${fmt(r.serverDiskReadMB)} MB, load ${r.loadAverageBefore.join(' ')}`;
}

/**
 * The server's settings. The public address is fixed (by default it follows the port, which
 * is a free one each run): stored work pages belong to the settings they were rendered with.
 */
const appEnv = () => ({ DATABASE_URL: args['database-url'] ?? apiDb, LOG_LEVEL: 'warn', KANSOU_PUBLIC_URL: 'http://bench.kansou.invalid' });

/**
 * `kansou serve` as users run it (the built bin/kansou.js), or (`fromSources`) from the TypeScript
 * sources, for profiles: a profile of the bundle would name its chunks, not the source files.
 */
async function startApp(extraNodeArgs: string[] = [], fromSources = false): Promise<Server & { via: string }> {
  const command = fromSources ? ['--import', 'tsx', join(ROOT, 'test', 'kansou-entry.ts')] : ['bin/kansou.js'];
  const server = await startServer('kansou serve', [process.execPath, ...extraNodeArgs, ...command, 'serve'], appEnv(), await freePort());
  return { ...server, via: `node ${command.join(' ')} serve` };
}

async function reviewRuns(server: Server, lists: Lists, label: string): Promise<ApiRun[]> {
  log(`${label}: warming up ${warmup} s…`);
  await runLoad(server, { path: '/api/v1/reviews/{}', listFile: lists.reviewIds, connections: 50, pipelining: 1, duration: warmup, prewarm: apiDb });
  const runs: ApiRun[] = [];
  for (let round = 1; round <= repeat; round++) {
    for (const connections of connectionList) {
      log(`${label}: ${connections} connections, ${duration} s${repeat > 1 ? ` (round ${round}/${repeat})` : ''}…`);
      const r = await runLoad(server, { path: '/api/v1/reviews/{}', listFile: lists.reviewIds, connections, pipelining: 1, duration, prewarm: apiDb });
      log(`  ${describeRun(r)}`);
      runs.push(r);
    }
  }
  return runs;
}

/** Of repeated runs of one configuration, the one with the median requests/s (all are kept in results.json). */
function median(runs: ApiRun[]): ApiRun {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond.mean - b.requestsPerSecond.mean);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** The best configuration: most requests/s among clean runs meeting the p99 target, else most requests/s. */
function best(runs: ApiRun[]): ApiRun | undefined {
  const clean = runs.filter((r) => r.non2xx === 0 && r.errors === 0 && r.timeouts === 0);
  const meeting = clean.filter((r) => r.latencyMs.p99 < 15);
  const pool = meeting.length ? meeting : clean.length ? clean : runs;
  return [...pool].sort((a, b) => b.requestsPerSecond.mean - a.requestsPerSecond.mean)[0];
}

async function benchApi(lists: Lists) {
  currentSection = 'api';
  const built = ensureBuilt();
  const server = await startApp();
  log(`api: server (${server.via}) on ${server.origin}, pid ${server.child.pid}, pinned to core 0; ${fmt(lists.reviews)} reviews, ${fmt(lists.published)} published`);
  const apiResults: Record<string, unknown> = { db: relative(ROOT, apiDb), reviews: lists.reviews, published: lists.published, server: server.via, build: built.message };
  try {
    if (selected.has('api')) {
      const runs = await reviewRuns(server, lists, 'api');
      const medians = connectionList.map((c) => median(runs.filter((r) => r.connections === c)));
      const b = best(medians)!;
      for (const r of medians) {
        const all = runs.filter((x) => x.connections === r.connections);
        rows.push({
          measurement: `GET /api/v1/reviews/ID (${fmt(lists.reviews)}${servedBy})`,
          figure: `${r.connections} conns: req/s | p50 | p99 ms | non-2xx | CPU µs/req${repeat > 1 ? ` (median of ${repeat}: ${all.map((x) => fmt(x.requestsPerSecond.mean)).join(', ')})` : ''}`,
          value: `${fmt(r.requestsPerSecond.mean)} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.non2xx} | ${fmt(r.serverCpuMicrosPerRequest)}`,
          target: '≥ 10,000 req/s, p99 < 15 ms, 0 non-2xx',
          met: r.requestsPerSecond.mean >= 10000 && r.latencyMs.p99 < 15 && all.every((x) => x.non2xx === 0 && x.errors === 0),
        });
      }
      rows.push({ measurement: `GET /api/v1/reviews/ID (${fmt(lists.reviews)}${servedBy})`, figure: 'best configuration', value: `${b.connections} connections` });
      apiResults.reviewRuns = runs;
      apiResults.best = { connections: b.connections, requestsPerSecond: b.requestsPerSecond.mean, p99: b.latencyMs.p99 };
    }
    if (selected.has('works')) {
      log(`works: GET /api/v1/works/SLUG, 50 connections, ${infoDuration} s…`);
      const bySlug = await runLoad(server, { path: '/api/v1/works/{}', listFile: lists.workSlugs, connections: 50, pipelining: 1, duration: infoDuration, prewarm: apiDb });
      log(`  ${describeRun(bySlug)}`);
      log(`works: GET /api/v1/works?q=WORD, 10 connections, ${infoDuration} s…`);
      const search = await runLoad(server, { path: '/api/v1/works?q={}', listFile: lists.words, connections: 10, pipelining: 1, duration: infoDuration, prewarm: apiDb });
      log(`  ${describeRun(search)}`);
      rows.push({ measurement: 'GET /works/SLUG (50 conns)', figure: 'req/s | p50 | p99 ms | non-2xx', value: `${fmt(bySlug.requestsPerSecond.mean)} | ${bySlug.latencyMs.p50} | ${bySlug.latencyMs.p99} | ${bySlug.non2xx}`, target: 'informational' });
      rows.push({ measurement: 'GET /works?q=WORD (10 conns)', figure: 'req/s | p50 | p99 ms | non-2xx', value: `${fmt(search.requestsPerSecond.mean)} | ${search.latencyMs.p50} | ${search.latencyMs.p99} | ${search.non2xx}`, target: 'informational' });
      apiResults.workBySlug = bySlug;
      apiResults.workSearch = search;
    }
  } finally {
    await server.stop();
    log(`api: server stopped`);
    const tail = server.output().trim();
    if (tail) apiResults.serverOutput = tail.split('\n').slice(-20);
  }
  results.api = apiResults;
}

/**
 * The public site's pages: the review and the work page against the issue's target (≥ 5,000
 * requests/s, p99 < 25 ms, server on one core), the home page and search for information.
 * Responses are not compressed (autocannon sends no Accept-Encoding), as behind a proxy that
 * compresses, and every page is rendered afresh: no conditional requests.
 */
async function benchPages(lists: Lists) {
  currentSection = 'pages';
  ensureBuilt();
  const server = await startApp();
  log(`pages: server on ${server.origin}, pid ${server.child.pid}, pinned to core 0`);
  const out: Record<string, unknown> = {};
  try {
    log(`pages: warming up ${warmup} s…`);
    await runLoad(server, { path: '/reviews/{}', listFile: lists.reviewIds, connections: 50, pipelining: 1, duration: warmup, prewarm: apiDb });
    for (const target of [
      { name: 'review page', path: '/reviews/{}', list: lists.reviewIds },
      { name: 'work page', path: '/works/{}', list: lists.workSlugs },
    ]) {
      const runs: ApiRun[] = [];
      for (let round = 1; round <= repeat; round++) {
        for (const connections of connectionList) {
          log(`pages: ${target.name}, ${connections} connections, ${duration} s…`);
          const r = await runLoad(server, { path: target.path, listFile: target.list, connections, pipelining: 1, duration, prewarm: apiDb });
          log(`  ${describeRun(r)}`);
          runs.push(r);
        }
      }
      for (const connections of connectionList) {
        const all = runs.filter((x) => x.connections === connections);
        const r = median(all);
        rows.push({
          measurement: `GET ${target.path.replace('{}', target.name === 'review page' ? 'ID' : 'SLUG')} (${fmt(lists.reviews)}${servedBy})`,
          figure: `${connections} conns: req/s | p50 | p99 ms | non-2xx | CPU µs/req`,
          value: `${fmt(r.requestsPerSecond.mean)} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.non2xx} | ${fmt(r.serverCpuMicrosPerRequest)}`,
          target: '≥ 5,000 req/s, p99 < 25 ms',
          met: r.requestsPerSecond.mean >= 5000 && r.latencyMs.p99 < 25 && all.every((x) => x.non2xx === 0 && x.errors === 0),
        });
      }
      out[target.name] = runs;
    }
    // As a browser asks: it accepts compressed answers, so stored pages go out as stored, and
    // a page rendered on view is compressed on view.
    const browser = { 'accept-encoding': 'gzip, deflate, br, zstd' };
    for (const target of [
      { name: 'review page', path: '/reviews/{}', list: lists.reviewIds },
      { name: 'work page', path: '/works/{}', list: lists.workSlugs },
    ]) {
      log(`pages: ${target.name} as a browser asks (accept-encoding), 50 connections, ${infoDuration} s…`);
      const r = await runLoad(server, { path: target.path, listFile: target.list, connections: 50, pipelining: 1, duration: infoDuration, prewarm: apiDb, headers: browser });
      log(`  ${describeRun(r)}`);
      rows.push({
        measurement: `GET ${target.path.replace('{}', target.name === 'review page' ? 'ID' : 'SLUG')}, accept-encoding (50 conns${servedBy})`,
        figure: 'req/s | p50 | p99 ms | non-2xx | CPU µs/req | bytes/req',
        value: `${fmt(r.requestsPerSecond.mean)} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.non2xx} | ${fmt(r.serverCpuMicrosPerRequest)} | ${fmt((r.throughputMBs * 1e6) / r.requestsPerSecond.mean)}`,
        target: 'informational',
      });
      out[`${target.name}, accept-encoding`] = r;
    }
    for (const target of [
      { name: 'home page', path: '/?{}', list: lists.words, connections: 10 },
      { name: 'search page', path: '/search?q={}', list: lists.words, connections: 10 },
    ]) {
      log(`pages: ${target.name}, ${target.connections} connections, ${infoDuration} s…`);
      const r = await runLoad(server, { path: target.path, listFile: target.list, connections: target.connections, pipelining: 1, duration: infoDuration, prewarm: apiDb });
      log(`  ${describeRun(r)}`);
      rows.push({ measurement: `GET ${target.path.replace('{}', target.name === 'home page' ? '' : 'WORD')} (${target.connections} conns${servedBy})`, figure: 'req/s | p50 | p99 ms | non-2xx', value: `${fmt(r.requestsPerSecond.mean)} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.non2xx}`, target: 'informational' });
      out[target.name] = r;
    }
  } finally {
    await server.stop();
    log('pages: server stopped');
  }
  results.pages = out;
}

/**
 * The app against two bare servers on the same database, all three started at once (each
 * pinned to core 0, idle while another is loaded) and loaded in turn, round after round, so
 * that the machine's drift hits them alike: `prepared` has the app's schemas and presenter with
 * one prepared better-sqlite3 statement; `raw` has no schemas at all.
 */
async function benchBare(lists: Lists) {
  currentSection = 'compare';
  ensureBuilt();
  const servers: { name: string; server: Server }[] = [];
  const connections = connectionList.includes(50) ? 50 : connectionList[0]!;
  const seconds = Math.max(5, Math.round(duration / 2));
  try {
    servers.push({ name: 'app (kansou serve)', server: await startApp() });
    for (const mode of compareModes) {
      servers.push({
        name: `bare ${mode}`,
        server: await startServer(`bare-${mode}`, [process.execPath, '--import', 'tsx', join(BENCH_DIR, 'lib', 'bare-server.ts'), mode], { DATABASE_URL: apiDb }, await freePort()),
      });
    }
    for (const { name, server } of servers) {
      log(`compare: warming up ${name} ${warmup} s…`);
      await runLoad(server, { path: '/api/v1/reviews/{}', listFile: lists.reviewIds, connections, pipelining: 1, duration: warmup, prewarm: apiDb });
    }
    const runs = new Map<string, ApiRun[]>(servers.map((s) => [s.name, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const { name, server } of servers) {
        log(`compare: round ${round}/${rounds}, ${name}, ${connections} connections, ${seconds} s…`);
        const r = await runLoad(server, { path: '/api/v1/reviews/{}', listFile: lists.reviewIds, connections, pipelining: 1, duration: seconds, prewarm: apiDb });
        log(`  ${describeRun(r)}`);
        runs.get(name)!.push(r);
      }
    }
    const summary: Record<string, unknown> = { connections, seconds, rounds };
    for (const [name, rs] of runs) {
      const m = median(rs);
      const cpu = [...rs.map((r) => r.serverCpuMicrosPerRequest)].sort((a, b) => a - b)[Math.floor((rs.length - 1) / 2)]!;
      rows.push({
        measurement: `compare ${name}`,
        figure: `${connections} conns, median of ${rs.length}: req/s | p99 ms | CPU µs/req`,
        value: `${fmt(m.requestsPerSecond.mean)} | ${m.latencyMs.p99} | ${fmt(cpu)}`,
        target: 'comparison',
      });
      summary[name] = { medianRequestsPerSecond: m.requestsPerSecond.mean, medianP99: m.latencyMs.p99, medianCpuMicrosPerRequest: cpu, runs: rs };
    }
    results.compare = summary;
  } finally {
    for (const { server } of servers) await server.stop();
  }
}

/**
 * The app and the bare `prepared` server under the same load with --cpu-prof; only the measured
 * run (after start-up and warm-up) is summarised, as CPU microseconds per request by area.
 */
async function benchProfile(lists: Lists) {
  currentSection = 'profile';
  ensureBuilt();
  const out: Record<string, unknown> = {};
  // --profile-page review|work profiles the app's page instead of the API (and no bare server).
  const page = args['profile-page'];
  const load = page === 'review' ? { path: '/reviews/{}', listFile: lists.reviewIds } : page === 'work' ? { path: '/works/{}', listFile: lists.workSlugs } : { path: '/api/v1/reviews/{}', listFile: lists.reviewIds };
  const targets = [
    { name: page ? `${page}-page` : 'app', start: (dir: string) => startApp(['--cpu-prof', `--cpu-prof-dir=${dir}`], true) },
    {
      name: 'bare-prepared',
      start: async (dir: string) =>
        startServer('bare-prepared', [process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', join(BENCH_DIR, 'lib', 'bare-server.ts'), 'prepared'], { DATABASE_URL: apiDb }, await freePort()),
    },
  ].slice(0, page ? 1 : 2);
  for (const target of targets) {
    const dir = mkdtempSync(join(tmpdir(), 'kansou-bench-prof-'));
    const spawned = performance.now();
    const server = await target.start(dir);
    let window: { fromMs: number; toMs: number };
    let run: ApiRun;
    try {
      log(`profile ${target.name}: warming up ${warmup} s, then 100 connections for 10 s under --cpu-prof…`);
      await runLoad(server, { ...load, connections: 50, pipelining: 1, duration: warmup, prewarm: apiDb });
      const from = performance.now() - spawned;
      run = await runLoad(server, { ...load, connections: 100, pipelining: 1, duration: 10 });
      window = { fromMs: from + 1500, toMs: performance.now() - spawned - 500 };
      log(`  (profiled, so slower) ${describeRun(run)}`);
    } finally {
      await server.stop();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) {
      log(`profile ${target.name}: no .cpuprofile was written in ${dir}`);
      continue;
    }
    const summary = summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')), 25, window);
    // Requests answered inside the summarised window, approximately: the run's rate times the window.
    const requests = run.requestsPerSecond.mean * ((window.toMs - window.fromMs) / 1000);
    console.log(`\n== CPU profile of ${target.name} under load (µs per request = area time / ~${fmt(requests)} requests)`);
    console.log(formatSummary(summary));
    console.log('per request:');
    for (const a of summary.areas.slice(0, 12)) console.log(`  ${fmt((a.ms * 1000) / requests, 1).padStart(7)} µs  ${a.area}`);
    const kept = join(DATA_DIR, `${target.name}.cpuprofile`);
    writeFileSync(kept, readFileSync(join(dir, file)));
    rmSync(dir, { recursive: true, force: true });
    log(`profile ${target.name}: kept as ${relative(ROOT, kept)} (open it in Chrome DevTools › Performance)`);
    out[target.name] = { file: relative(ROOT, kept), requests, ...summary };
  }
  results.profile = out;
}

// ── signin ───────────────────────────────────────────────────────────────────────────────

/**
 * Signing in under attack: the owner's sign-ins must stay under 300 ms at p99 while 20 wrong
 * passwords a second hit their account from elsewhere. The attacker's guesses are refused
 * before hashing once the limits engage (10 failures a minute per address, 25 an hour per
 * account); the owner's browser holds the device cookie of an earlier sign-in, which the
 * account's limit does not hold back.
 */
async function benchSignin() {
  currentSection = 'signin';
  ensureBuilt();
  const seconds = num(args['signin-seconds'], 30);
  const email = 'owner@example.org';
  const password = 'the owner’s own passphrase';
  const pg = await postgresForLists();
  const tmp = mkdtempSync(join(tmpdir(), 'kansou-bench-signin-'));
  const measured: Record<string, unknown> = {};
  try {
    for (const database of pg ? ['SQLite', 'PostgreSQL'] : ['SQLite']) {
      const url = database === 'SQLite' ? join(tmp, 'signin.db') : await createPgDatabase(pg!.admin, 'kansou_bench_signin');
      const add = spawnSync(process.execPath, ['bin/kansou.js', 'user', 'add', email, '--name', 'Owner', '--role', 'author'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
        input: `${password}\n`,
        encoding: 'utf8',
      });
      if (add.status !== 0) throw new Error(`kansou user add failed: ${add.stderr}`);
      const server = await startServer(`signin ${database}`, [process.execPath, 'bin/kansou.js', 'serve'], { DATABASE_URL: url, LOG_LEVEL: 'warn' }, await freePort());
      try {
        const first = await postForm(server.origin, '/login', { email, password }, { localAddress: '127.0.0.3' });
        if (first.status !== 303) throw new Error(`the owner's first sign-in answered ${first.status}`);
        const cookie = first.cookies.filter((c) => c.includes('kansou_device')).join('; ');
        const quiet = new AbortController();
        setTimeout(() => quiet.abort(), Math.min(10, seconds) * 1000);
        const baseline = await ownerSignIns(server.origin, email, password, cookie, '127.0.0.3', 100, quiet.signal);
        log(`signin ${database}: no attack: ${baseline.latenciesMs.length} sign-ins, p50 ${percentile(baseline.latenciesMs, 50).toFixed(0)} ms, p99 ${percentile(baseline.latenciesMs, 99).toFixed(0)} ms`);
        const scenarios = [
          { name: 'attacker on one address', address: () => '127.0.0.2' },
          { name: 'attacker on a new address per guess', address: (i: number) => `127.1.${Math.floor(i / 250) % 250}.${(i % 250) + 1}` },
        ];
        const runs: Record<string, unknown> = { baseline: { count: baseline.latenciesMs.length, p50: percentile(baseline.latenciesMs, 50), p99: percentile(baseline.latenciesMs, 99) } };
        for (const scenario of scenarios) {
          const stop = new AbortController();
          const attacking = attack(server.origin, email, 20, seconds, scenario.address, stop.signal);
          const owner = ownerSignIns(server.origin, email, password, cookie, '127.0.0.3', 100, stop.signal);
          const attackResult = await attacking;
          stop.abort();
          const ownerResult = await owner;
          const p50 = percentile(ownerResult.latenciesMs, 50);
          const p99 = percentile(ownerResult.latenciesMs, 99);
          const ok = ownerResult.byStatus['303'] ?? 0;
          log(`signin ${database}, ${scenario.name}: owner ${ownerResult.latenciesMs.length} sign-ins (${JSON.stringify(ownerResult.byStatus)}), p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms; attacker ${attackResult.sent} guesses → ${JSON.stringify(attackResult.byStatus)}${attackResult.errors ? `, ${attackResult.errors} errors` : ''}`);
          rows.push({ measurement: `sign-in (${database}), ${scenario.name}`, figure: 'owner p99 ms (p50)', value: `${p99.toFixed(0)} (${p50.toFixed(0)})`, target: '< 300 ms', met: p99 < 300 && ok === ownerResult.latenciesMs.length });
          rows.push({ measurement: `sign-in (${database}), ${scenario.name}`, figure: '  owner signed in / attempts; guesses refused (429)', value: `${ok}/${ownerResult.latenciesMs.length}; ${attackResult.byStatus['429'] ?? 0}/${attackResult.sent}` });
          runs[scenario.name] = { owner: { count: ownerResult.latenciesMs.length, byStatus: ownerResult.byStatus, p50, p99 }, attacker: attackResult };
        }
        measured[database] = runs;
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    pg?.stop();
  }
  results.signin = measured;
}

/**
 * Review bodies are rendered when written, but a restored database (the dataset) has none yet,
 * nor works' stored lists and pages: make them before any server starts (with the server's
 * settings, which stored pages belong to), or its background passes would compete with the
 * load. Nothing to do once they are stored.
 */
function renderReviews(databaseUrl: string): void {
  ensureBuilt();
  log('rendering the reviews that have no stored rendering, storing lists and pages (kansou render)…');
  const started = performance.now();
  const r = spawnSync(process.execPath, ['bin/kansou.js', 'render'], { cwd: ROOT, env: { ...process.env, ...appEnv(), DATABASE_URL: databaseUrl }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kansou render failed (exit ${r.status}): ${r.stderr}`);
  log(`${r.stderr.trim()} (${fmt((performance.now() - started) / 1000, 1)} s)`);
}

// ── Main ─────────────────────────────────────────────────────────────────────────────────

async function main() {
  if (selected.has('text')) await benchText();
  if (selected.has('json')) await benchJson();
  if (selected.has('lists')) await benchLists();
  if (selected.has('signin')) await benchSignin();
  if (selected.has('api') || selected.has('works') || selected.has('pages') || selected.has('bare') || selected.has('profile')) {
    if (!existsSync(apiDb)) {
      const hint = apiReviews === 1_000_000 ? 'npm run bench:data' : `npm run bench:data -- --reviews ${apiReviews}`;
      log(`api: ${relative(ROOT, apiDb)} does not exist: run \`${hint}\` first (the full dataset takes a while; --reviews N makes a smaller one)`);
      currentSection = 'api';
      rows.push({ measurement: 'API', figure: 'skipped', value: `no ${relative(ROOT, apiDb)}` });
      results.api = { skipped: `missing ${relative(ROOT, apiDb)}; run ${hint}` };
    } else {
      const lists = args['database-url'] ? await writeListsFromPostgres(args['database-url']) : writeLists(apiDb);
      renderReviews(args['database-url'] ?? apiDb);
      if (lists.reviews !== apiReviews && args.db === undefined) log(`api: note: ${relative(ROOT, apiDb)} holds ${fmt(lists.reviews)} reviews, not ${fmt(apiReviews)}`);
      try {
        if (selected.has('api') || selected.has('works')) await benchApi(lists);
        if (selected.has('pages')) await benchPages(lists);
        if (selected.has('bare')) await benchBare(lists);
        if (selected.has('profile')) await benchProfile(lists);
      } finally {
        rmSync(lists.dir, { recursive: true, force: true });
      }
    }
  }
  printTable();
  saveResults();
  log(`\nresults written to ${relative(ROOT, join(BENCH_DIR, 'results.json'))}`);
}

main().catch((error: unknown) => {
  console.error(error);
  killAll();
  try {
    printTable();
    saveResults();
  } catch {
    // nothing more to save
  }
  process.exit(1);
});
