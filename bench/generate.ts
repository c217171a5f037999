/**
 * `npm run bench:data [-- options]`: writes a deterministic synthetic interchange document
 * (bench/data/kansou-<reviews>.json, one record per line, exactly as `kansou export` writes it)
 * and builds the benchmark database from it with `importJson`, timing that import.
 *
 *   --reviews N      reviews (default 1000000)
 *   --works N        works (default reviews/10, at most 100000)
 *   --authors N --people N --studios N --platforms N --tags N   (defaults scale with the size)
 *   --seed N         PRNG seed (default 20261127)
 *   --out DIR        where to write (default bench/data)
 *   --db FILE        database to build (default DIR/kansou.db for 1,000,000 reviews, else DIR/kansou-N.db)
 *   --json-only      write the document, do not build the database
 *   --force          rewrite the document even if an identical one exists
 *   --verify         export the built database and check it is byte-identical to the document
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/connection.js';
import { exportJson } from '../src/interchange/interchange.export.js';
import { FORMAT_VERSION } from '../src/interchange/interchange.schema.js';
import { importJson, type RestoreReport } from '../src/interchange/interchange.import.js';
import { Catalog, defaultOptions, type SynthOptions } from './lib/synth.js';

/** Bump when the generator's output changes, so stale documents are not reused. */
export const GENERATOR_VERSION = 6;

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const DATA_DIR = join(BENCH_DIR, 'data');

export interface DocumentInfo {
  generatorVersion: number;
  options: SynthOptions;
  path: string;
  bytes: number;
  /** Byte offset where the reviews section starts: imports time that phase on its own. */
  reviewsOffset: number;
  counts: Record<string, number>;
  publishedReviews: number;
  seconds: number;
}

export const documentPath = (dir: string, reviews: number) => join(dir, `kansou-${reviews}.json`);
export const defaultDbPath = (dir: string, reviews: number) => join(dir, reviews === 1_000_000 ? 'kansou.db' : `kansou-${reviews}.db`);
const metaPath = (path: string) => path.replace(/\.json$/, '.meta.json');

/** A document already on disk made by this generator version with these options, if any. */
export function existingDocument(path: string, options: SynthOptions): DocumentInfo | undefined {
  try {
    const meta = JSON.parse(readFileSync(metaPath(path), 'utf8')) as DocumentInfo;
    if (meta.generatorVersion !== GENERATOR_VERSION || JSON.stringify(meta.options) !== JSON.stringify(options)) return undefined;
    if (statSync(path).size !== meta.bytes) return undefined;
    return meta;
  } catch {
    return undefined;
  }
}

/** Streams the document to `path` (through `path.partial`, renamed at the end). Memory stays small. */
export async function writeDocument(options: SynthOptions, path: string, log: (line: string) => void = () => {}): Promise<DocumentInfo> {
  const started = performance.now();
  const partial = `${path}.partial`;
  mkdirSync(dirname(path), { recursive: true });
  const out = createWriteStream(partial);
  let pending: string[] = [];
  let pendingLength = 0;
  let bytes = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    pendingLength = 0;
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  };
  const write = async (text: string) => {
    pending.push(text);
    pendingLength += text.length;
    if (pendingLength >= 1 << 20) await flush();
  };
  const counts: Record<string, number> = {};
  const section = async <T>(name: string, records: Iterable<T>, last = false) => {
    await write(`  ${JSON.stringify(name)}: [`);
    let count = 0;
    for (const r of records) await write(`${count++ === 0 ? '' : ','}\n    ${JSON.stringify(r)}`);
    await write(`${count ? '\n  ' : ''}]${last ? '' : ','}\n`);
    counts[name] = count;
  };

  const catalog = new Catalog(options);
  await write(`{\n  "format": "kansou",\n  "version": ${FORMAT_VERSION},\n`);
  await section('authors', catalog.authors);
  await section('people', catalog.people);
  await section('studios', catalog.studios);
  await section('platforms', catalog.platforms);
  await section('tags', catalog.tags);
  await section(
    'works',
    (function* () {
      for (let id = 1; id <= options.works; id++) yield catalog.work(id).record;
    })(),
  );
  await flush();
  const reviewsOffset = bytes;
  let published = 0;
  let lastLog = performance.now();
  await section(
    'reviews',
    (function* () {
      for (let id = 1; id <= options.reviews; id++) {
        const r = catalog.review();
        if (r.status === 'published') published++;
        if (id % 10_000 === 0 && performance.now() - lastLog > 5000) {
          lastLog = performance.now();
          log(`  generated ${id.toLocaleString('en')} reviews…`);
        }
        yield r;
      }
    })(),
  );
  await section('listEntries', [], true);
  await write('}\n');
  await flush();
  out.end();
  await once(out, 'finish');
  await rename(partial, path);
  const info: DocumentInfo = {
    generatorVersion: GENERATOR_VERSION,
    options,
    path,
    bytes,
    reviewsOffset,
    counts,
    publishedReviews: published,
    seconds: (performance.now() - started) / 1000,
  };
  await writeFile(metaPath(path), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/** The document for `options` in `dir`: reused when an identical one exists, else written. */
export async function ensureDocument(options: SynthOptions, dir: string, log: (line: string) => void, force = false): Promise<DocumentInfo & { reused: boolean }> {
  const path = documentPath(dir, options.reviews);
  const existing = force ? undefined : existingDocument(path, options);
  if (existing) return { ...existing, reused: true };
  log(`writing ${path}…`);
  return { ...(await writeDocument(options, path, log)), reused: false };
}

export interface ImportTiming {
  seconds: number;
  /** Seconds spent from the first byte of the reviews section to the end. */
  reviewSeconds: number;
  reviews: number;
  reviewsPerSecond: number;
  reviewPhasePerSecond: number;
  report: RestoreReport;
}

/** Counts bytes as the importer pulls them, to time the reviews section and report progress. */
export async function* countingChunks(path: string, onBytes: (bytes: number) => void): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    bytes += (chunk as Buffer).length;
    onBytes(bytes);
    yield chunk as Buffer;
  }
}

/** Imports the document into a fresh SQLite database at `dbPath` (replacing it), timed. */
export async function buildDatabase(info: DocumentInfo, dbPath: string, log: (line: string) => void): Promise<ImportTiming> {
  const building = `${dbPath}.building`;
  for (const f of [building, `${building}-wal`, `${building}-shm`]) rmSync(f, { force: true });
  const db = await openDatabase(building);
  const started = performance.now();
  let reviewsStarted = 0;
  let lastLog = started;
  const report = await importJson(
    db,
    countingChunks(info.path, (bytes) => {
      const now = performance.now();
      if (!reviewsStarted && bytes > info.reviewsOffset) reviewsStarted = now;
      if (now - lastLog > 10_000) {
        lastLog = now;
        log(`  imported ${((bytes / info.bytes) * 100).toFixed(0)}% of the bytes in ${((now - started) / 1000).toFixed(0)} s…`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const reviewSeconds = (performance.now() - (reviewsStarted || started)) / 1000;
  await db.close();
  for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(f, { force: true });
  await rename(building, dbPath);
  for (const f of [`${building}-wal`, `${building}-shm`]) rmSync(f, { force: true });
  const reviews = info.counts.reviews ?? 0;
  return { seconds, reviewSeconds, reviews, reviewsPerSecond: reviews / seconds, reviewPhasePerSecond: reviews / reviewSeconds, report };
}

/** Exports `dbPath` and compares its SHA-256 with the document's. */
export async function verifyRoundTrip(info: DocumentInfo, dbPath: string): Promise<{ same: boolean; exported: string; document: string }> {
  const db = await openDatabase(dbPath, { migrate: false });
  const exported = createHash('sha256');
  await exportJson(
    db,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        exported.update(chunk);
        callback();
      },
    }),
  );
  await db.close();
  const document = createHash('sha256');
  for await (const chunk of createReadStream(info.path)) document.update(chunk as Buffer);
  const a = exported.digest('hex');
  const b = document.digest('hex');
  return { same: a === b, exported: a, document: b };
}

function failuresSummary(report: RestoreReport): string {
  const total = report.failures.length;
  if (total === 0) return 'no failures';
  return `${total} FAILURES, first: ${report.failures
    .slice(0, 3)
    .map((f) => `${f.section} #${f.item}: ${f.message}`)
    .join('; ')}`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      reviews: { type: 'string' },
      works: { type: 'string' },
      authors: { type: 'string' },
      people: { type: 'string' },
      studios: { type: 'string' },
      platforms: { type: 'string' },
      tags: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      db: { type: 'string' },
      'json-only': { type: 'boolean' },
      force: { type: 'boolean' },
      verify: { type: 'boolean' },
    },
  });
  const num = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  const reviews = num(values.reviews, 'reviews') ?? 1_000_000;
  const overrides: Partial<SynthOptions> = {};
  for (const key of ['works', 'authors', 'people', 'studios', 'platforms', 'tags', 'seed'] as const) {
    const n = num(values[key], key);
    if (n !== undefined) overrides[key] = n;
  }
  const options = defaultOptions(reviews, overrides);
  const dir = resolve(values.out ?? DATA_DIR);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const info = await ensureDocument(options, dir, log, values.force);
  const c = info.counts;
  console.log(
    `${info.reused ? 'reusing' : 'wrote'} ${info.path}: ${(info.bytes / 1e6).toFixed(0)} MB, ${c.authors} authors, ${c.people} people, ${c.studios} studios, ${c.platforms} platforms, ${c.tags} tags, ${c.works} works, ${c.reviews} reviews (${info.publishedReviews} published)${info.reused ? '' : ` in ${info.seconds.toFixed(1)} s`}`,
  );
  if (values['json-only']) return;

  const dbPath = resolve(values.db ?? defaultDbPath(dir, reviews));
  log(`importing into ${dbPath} with importJson…`);
  const t = await buildDatabase(info, dbPath, log);
  const size = statSync(dbPath).size;
  console.log(
    `built ${dbPath} (${(size / 1e6).toFixed(0)} MB) in ${t.seconds.toFixed(1)} s: ${Math.round(t.reviewsPerSecond).toLocaleString('en')} reviews/s over the whole document, ` +
      `${Math.round(t.reviewPhasePerSecond).toLocaleString('en')} reviews/s in the reviews section (${t.reviewSeconds.toFixed(1)} s); ${failuresSummary(t.report)}`,
  );
  await writeFile(
    `${dbPath}.build.json`,
    `${JSON.stringify({ document: info.path, bytes: info.bytes, counts: info.counts, publishedReviews: info.publishedReviews, seconds: t.seconds, reviewSeconds: t.reviewSeconds, reviewsPerSecond: t.reviewsPerSecond, reviewPhasePerSecond: t.reviewPhasePerSecond, failures: t.report.failures.length, builtAt: new Date().toISOString() }, null, 2)}\n`,
  );
  if (t.report.failures.length) process.exitCode = 1;
  if (values.verify) {
    log('exporting the database to compare with the document…');
    const v = await verifyRoundTrip(info, dbPath);
    console.log(v.same ? `verified: the export of ${dbPath} is byte-identical to the document` : `MISMATCH: export sha256 ${v.exported}, document sha256 ${v.document}`);
    if (!v.same) process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
