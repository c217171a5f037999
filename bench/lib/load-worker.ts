/**
 * The load generator, run in its own process pinned to its own core:
 *   taskset -c 1 node --import tsx bench/lib/load-worker.ts '<json options>'
 * Runs autocannon against 127.0.0.1 with a random path per request (a random published review
 * id, work slug or search word from `listFile`, one per line), and prints one JSON line with
 * autocannon's figures plus the CPU this process used (to show whether the client kept up).
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadOptions {
  /** http://127.0.0.1:PORT — nothing else is ever targeted. */
  origin: string;
  /** Path template: `{}` is replaced by a random (URL-encoded) line of `listFile`. */
  path: string;
  listFile: string;
  connections: number;
  pipelining: number;
  /** Seconds. */
  duration: number;
  /** Request headers, e.g. the `accept-encoding` a browser sends. */
  headers?: Record<string, string>;
}

export interface LoadResult {
  connections: number;
  pipelining: number;
  duration: number;
  requestsPerSecond: { mean: number; stddev: number; min: number; max: number };
  latencyMs: { mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  total: number;
  status2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  throughputMBs: number;
  clientCpuPercent: number;
  /** Seconds autocannon ran (without this process's start-up). */
  wallSeconds: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(options.origin)) {
  console.error(`refusing to load anything but http://127.0.0.1:PORT (got ${options.origin})`);
  process.exit(2);
}
const items = readFileSync(options.listFile, 'utf8').split('\n').filter(Boolean).map(encodeURIComponent);
if (items.length === 0) {
  console.error(`no items in ${options.listFile}`);
  process.exit(2);
}
const [before, after] = options.path.split('{}') as [string, string | undefined];

const cpuStart = process.cpuUsage();
const wallStart = performance.now();
const result = await autocannon({
  url: options.origin,
  connections: options.connections,
  pipelining: options.pipelining,
  duration: options.duration,
  headers: options.headers ?? {},
  requests: [
    {
      method: 'GET',
      setupRequest: (req) => {
        req.path = `${before}${items[Math.floor(Math.random() * items.length)]}${after ?? ''}`;
        return req;
      },
    },
  ],
});
const cpu = process.cpuUsage(cpuStart);
const wall = performance.now() - wallStart;

const out: LoadResult = {
  connections: options.connections,
  pipelining: options.pipelining,
  duration: options.duration,
  requestsPerSecond: { mean: result.requests.average, stddev: result.requests.stddev, min: result.requests.min, max: result.requests.max },
  latencyMs: {
    mean: result.latency.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    p999: result.latency.p99_9,
    max: result.latency.max,
  },
  total: result.requests.total,
  status2xx: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  throughputMBs: result.throughput.average / 1e6,
  clientCpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
  wallSeconds: wall / 1000,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
