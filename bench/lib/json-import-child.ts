/**
 * The JSON import measurement, run in its own process so its memory is its own:
 *   node --import tsx bench/lib/json-import-child.ts <document.json> <database> <bytes> <reviewsOffset>
 * Imports the document with `importJson` (reading the file as the CLI does) into a fresh SQLite
 * database and prints one JSON line per event on stdout:
 *   {"event":"milestone","percent":25,"t":…,"rss":…}   when 25/50/75% of the bytes were consumed
 *   {"event":"done",…}                                 timings, RSS at 100%, peak RSS, counts
 * The parent samples this process's RSS from /proc as well, independently of its event loop.
 */
import { rmSync } from 'node:fs';
import { openDatabase } from '../../src/db/connection.js';
import { importJson } from '../../src/interchange/interchange.import.js';
import { countingChunks } from '../generate.js';

const [file, dbPath, bytesArg, offsetArg] = process.argv.slice(2);
if (!file || !dbPath || !bytesArg || !offsetArg) {
  console.error('usage: json-import-child.ts <document.json> <database> <bytes> <reviewsOffset>');
  process.exit(2);
}
const total = Number(bytesArg);
const reviewsOffset = Number(offsetArg);
const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(f, { force: true });
const db = await openDatabase(dbPath);
const started = performance.now();
let reviewsStarted = 0;
let nextMilestone = 25;
const report = await importJson(
  db,
  countingChunks(file, (bytes) => {
    const now = performance.now();
    if (!reviewsStarted && bytes > reviewsOffset) reviewsStarted = now;
    while (nextMilestone < 100 && bytes >= (total * nextMilestone) / 100) {
      emit({ event: 'milestone', percent: nextMilestone, t: (now - started) / 1000, rss: process.memoryUsage.rss() });
      nextMilestone += 25;
    }
  }),
);
const ended = performance.now();
const rssAtEnd = process.memoryUsage.rss();
await db.close();
emit({
  event: 'done',
  seconds: (ended - started) / 1000,
  reviewSeconds: (ended - (reviewsStarted || started)) / 1000,
  rss: rssAtEnd,
  // ru_maxrss is in kilobytes on Linux.
  maxRss: process.resourceUsage().maxRSS * 1024,
  cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  counts: report.counts,
  failures: report.failures.length,
  firstFailures: report.failures.slice(0, 3),
});
