/**
 * `npx tsx bench/search.ts [--db FILE|URL] [--queries N] [--seed N] [--json]`: the latency of
 * the search page's one call (`searchSite`: works, people, studios, reviews with snippets,
 * facets), without HTTP, for random one- and two-word queries drawn from the generator's
 * vocabulary (bench/lib/vocab.ts), reported as p50/p95/p99 per kind of query.
 *
 * Target: p99 < 50 ms for every kind on SQLite at 1,000,000 reviews (bench/data/kansou.db,
 * made by `npm run bench:data`). The database is only read. A PostgreSQL URL works too
 * (load a dataset with `kansou import --format json`).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isPostgresUrl, openDatabase } from '../src/db/connection.js';
import { searchSite } from '../src/search/search.service.js';
import { Rng } from './lib/prng.js';
import { EN_ADJ, EN_NOUN, FAMILY_JA, GIVEN_JA, R_ADJ, R_NOUN, ROMAJI_NOUN, STUDIO_WORDS } from './lib/vocab.js';

export interface SearchBenchResult {
  kind: string;
  queries: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** The same percentiles of CPU time (user + system) per query: what the call costs when other processes compete for the cores. */
  cpuP50: number;
  cpuP99: number;
  /** Share of queries that found at least one work, person, studio or review. */
  found: number;
}

const singleWord = (words: readonly string[]) => words.filter((w) => !/[\s-]/.test(w));

/** Query makers by kind: what a reader would type, drawn from the words the dataset is made of. */
export const QUERY_KINDS: Record<string, (rng: Rng) => string> = {
  'title, 1 word': (rng) => rng.pick([...EN_NOUN, ...ROMAJI_NOUN, ...EN_ADJ]),
  'title, 2 words': (rng) => (rng.chance(0.5) ? `${rng.pick(EN_ADJ)} ${rng.pick(EN_NOUN)}` : `${rng.pick(ROMAJI_NOUN)} ${rng.pick(ROMAJI_NOUN)}`),
  'person, 1 word': (rng) => rng.pick(FAMILY_JA),
  'person, 2 words': (rng) => `${rng.pick(GIVEN_JA)} ${rng.pick(FAMILY_JA)}`,
  'studio, 1 word': (rng) => rng.pick(singleWord(STUDIO_WORDS)),
  'review text, 1 word': (rng) => rng.pick([...singleWord(R_ADJ), ...singleWord(R_NOUN)]),
  'review text, 2 words': (rng) => `${rng.pick(singleWord(R_ADJ))} ${rng.pick(singleWord(R_NOUN))}`,
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function benchSearch(url: string, options: { queries?: number; seed?: number; log?: (line: string) => void } = {}): Promise<SearchBenchResult[]> {
  const n = options.queries ?? 300;
  const log = options.log ?? (() => undefined);
  const db = await openDatabase(url, { migrate: false, poolSize: 2 });
  try {
    const rng = new Rng(options.seed ?? 7);
    // Warm the page cache and the statement cache the way a running server would be.
    for (let i = 0; i < 100; i++) {
      const make = Object.values(QUERY_KINDS)[i % Object.keys(QUERY_KINDS).length]!;
      await searchSite(db, { q: make(rng), filters: {} });
    }
    const results: SearchBenchResult[] = [];
    for (const [kind, make] of Object.entries(QUERY_KINDS)) {
      const times: number[] = [];
      const cpu: number[] = [];
      let found = 0;
      for (let i = 0; i < n; i++) {
        const q = make(rng);
        const cpuStart = process.cpuUsage();
        const start = performance.now();
        const r = await searchSite(db, { q, filters: {} });
        times.push(performance.now() - start);
        const used = process.cpuUsage(cpuStart);
        cpu.push((used.user + used.system) / 1000);
        if (r.works.length + r.people.length + r.studios.length + r.reviews.length > 0) found++;
      }
      times.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      const result = { kind, queries: n, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: times.at(-1)!, cpuP50: percentile(cpu, 50), cpuP99: percentile(cpu, 99), found: found / n };
      const ms = (v: number) => `${v.toFixed(1).padStart(6)} ms`;
      log(`${kind.padEnd(22)} p50 ${ms(result.p50)}  p95 ${ms(result.p95)}  p99 ${ms(result.p99)}  max ${ms(result.max)}  | cpu p50 ${ms(result.cpuP50)}  p99 ${ms(result.cpuP99)}  | found ${(result.found * 100).toFixed(0)} %`);
      results.push(result);
    }
    return results;
  } finally {
    await db.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { db: { type: 'string' }, queries: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
  });
  const url = values.db ?? 'bench/data/kansou.db';
  if (!isPostgresUrl(url) && !existsSync(url)) {
    console.error(`No database at ${url}: run \`npm run bench:data\` first, or pass --db FILE.`);
    process.exit(1);
  }
  const results = await benchSearch(url, {
    queries: values.queries ? Number(values.queries) : undefined,
    seed: values.seed ? Number(values.seed) : undefined,
    log: values.json ? undefined : (line) => console.log(line),
  });
  if (values.json) console.log(JSON.stringify(results, null, 2));
}
