/**
 * `kansou import` for lists, feeds and CSV (an import run with a report, see
 * import/runs.service.ts), and `kansou imports` to list runs, show a report and undo a run.
 */
import type { Command } from 'commander';
import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import type { SourceEntry } from '../import/import.types.js';
import type { ImportItemRow, ImportRun } from '../import/runs.repository.js';
import type { ListFormat } from '../import/sources.js';
import { AppError } from '../shared/errors.js';
import { ExitCode, progress, withDb } from './common.js';

import { isStalled } from '../import/runs.service.js';

const runsService = () => import('../import/runs.service.js');
const runsRepository = () => import('../import/runs.repository.js');
const sources = () => import('../import/sources.js');

/** Report lines printed after an import; the rest is in `kansou imports show`. */
const SHOWN = 50;

function parseId(text: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError('invalid_input', `"${text}" is not an import number (see kansou imports).`);
  return id;
}

function describeItem(item: ImportItemRow): string {
  const mark = { created: '✓', updated: '✓', unchanged: '·', skipped: '–', failed: '✗' }[item.outcome];
  if (item.outcome === 'skipped' || item.outcome === 'failed') return `${mark} ${item.ref}: ${item.outcome}: ${item.reason}`;
  const parts = [
    item.workAction === 'created' ? 'new work' : `matched (${item.matchReason})`,
    item.reviewAction && `review ${item.reviewAction}`,
    item.entryAction && `list entry ${item.entryAction}`,
  ].filter(Boolean);
  const flag = item.uncertain ? ' ? uncertain match, check it' : '';
  return `${mark} ${item.ref}: ${parts.join(', ')}${flag}`;
}

function describeRun(run: ImportRun): string {
  const counts = `${run.entries} entries: ${run.created} created, ${run.updated} updated, ${run.unchanged} unchanged, ${run.skipped} skipped, ${run.failed} failed; ${run.matched} matched existing works${run.uncertain ? `, ${run.uncertain} uncertain` : ''}`;
  const state = run.undoneAt
    ? `undone ${run.undoneAt}`
    : isStalled(run, new Date().toISOString())
      ? `stalled: no progress since ${run.updatedAt} (its process stopped; undo it to take back what it wrote)`
      : run.status;
  return `#${run.id} ${run.startedAt} ${run.format} ${run.source} (author ${run.author}) — ${state}\n   ${counts}${run.error ? `\n   error: ${run.error}` : ''}`;
}

async function dryRun(entries: AsyncIterable<SourceEntry>, json: boolean): Promise<number> {
  const counts = { items: 0, skipped: 0, failed: 0 };
  const lines: unknown[] = [];
  for await (const entry of entries) {
    if ('item' in entry) counts.items++;
    else if ('skip' in entry) counts.skipped++;
    else counts.failed++;
    if (json) lines.push(entry);
    else if (!('item' in entry)) process.stderr.write(`${'skip' in entry ? `– ${entry.ref}: skipped: ${entry.skip}` : `✗ ${entry.ref}: ${entry.error}`}\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify({ counts, entries: lines }, null, 2)}\n`);
  else process.stderr.write(`${counts.items} entries readable, ${counts.skipped} skipped, ${counts.failed} unreadable (dry run, nothing written)\n`);
  return counts.failed;
}

/** `kansou import --format mal|letterboxd|anilist|blog|csv FILES`. */
export async function importList(
  config: Config,
  format: ListFormat,
  paths: string[],
  options: { author?: string; dryRun?: boolean; json?: boolean },
): Promise<void> {
  const [{ openListSource }, { runImport }, { listImportItems, findImportRun }] = await Promise.all([sources(), runsService(), runsRepository()]);
  const source = await openListSource(format, paths);
  if (options.dryRun) {
    if ((await dryRun(source.entries, options.json ?? false)) > 0) throw new ExitCode(1);
    return;
  }
  await withDb(config, async (db: Db) => {
    const bar = progress(`importing ${format}`);
    const result = await runImport(db, source.entries, {
      format,
      source: paths.join(', '),
      author: options.author ?? config.ownerName,
      bytesTotal: source.bytesTotal,
      bytesRead: source.bytesRead,
      onProgress: (p) => bar.tick(p.entries, p.bytesTotal ? p.bytesRead / p.bytesTotal : undefined),
    });
    bar.done();
    const run = (await findImportRun(db.kysely, result.id))!;
    if (options.json) {
      const items = [];
      for (let after = 0; ; ) {
        const page = await listImportItems(db.kysely, run.id, { afterPosition: after, limit: 1000 });
        if (page.length === 0) break;
        items.push(...page.map(jsonItem));
        after = page[page.length - 1]!.position;
      }
      process.stdout.write(`${JSON.stringify({ import: run, items }, null, 2)}\n`);
    } else {
      const notable = await listImportItems(db.kysely, run.id, { outcomes: ['failed', 'skipped'], uncertain: true, limit: SHOWN + 1 });
      for (const item of notable.slice(0, SHOWN)) process.stderr.write(`${describeItem(item)}\n`);
      if (notable.length > SHOWN) process.stderr.write(`… more in \`kansou imports show ${run.id}\`\n`);
      process.stderr.write(`${describeRun(run)}\n`);
      if (result.status === 'failed') process.stderr.write(`nothing from ${paths.join(', ')} was kept: ${result.error}\n`);
      else process.stderr.write(`undo with \`kansou imports undo ${run.id}\`\n`);
    }
    if (result.status === 'failed' || result.counts.failed > 0) throw new ExitCode(1);
  });
}

function jsonItem(item: ImportItemRow) {
  const { importId: _importId, previous: _previous, warnings, uncertain, ...rest } = item;
  return { ...rest, uncertain: uncertain === 1, warnings: JSON.parse(warnings) as string[] };
}

export function registerImportsCommands(program: Command, config: () => Config): void {
  const imports = program.command('imports').description('list import runs, show their reports, undo them');

  imports
    .command('list', { isDefault: true })
    .description('the latest import runs, newest first')
    .option('--limit <n>', 'how many', '20')
    .action(async (options: { limit: string }) => {
      const { listImportRuns } = await runsRepository();
      await withDb(config(), async (db) => {
        const runs = await listImportRuns(db.kysely, Math.max(1, Number(options.limit) || 20));
        if (runs.length === 0) process.stderr.write('no imports yet\n');
        for (const run of runs) process.stdout.write(`${describeRun(run)}\n`);
      });
    });

  imports
    .command('show')
    .description("an import's report: failed, skipped and uncertain entries (--all for every entry)")
    .argument('<id>', 'import number')
    .option('--all', 'every entry')
    .option('--json', 'as JSON')
    .action(async (id: string, options: { all?: boolean; json?: boolean }) => {
      const { findImportRun, listImportItems } = await runsRepository();
      await withDb(config(), async (db) => {
        const run = await findImportRun(db.kysely, parseId(id));
        if (!run) throw new AppError('not_found', `Import #${id} was not found.`);
        const filter = options.all ? {} : { outcomes: ['failed', 'skipped'] as ImportItemRow['outcome'][], uncertain: true };
        const items: ImportItemRow[] = [];
        for (let after = 0; ; ) {
          const page = await listImportItems(db.kysely, run.id, { ...filter, afterPosition: after, limit: 1000 });
          if (page.length === 0) break;
          items.push(...page);
          after = page[page.length - 1]!.position;
        }
        if (options.json) process.stdout.write(`${JSON.stringify({ import: run, items: items.map(jsonItem) }, null, 2)}\n`);
        else {
          process.stdout.write(`${describeRun(run)}\n`);
          for (const item of items) process.stdout.write(`${describeItem(item)}\n`);
        }
      });
    });

  imports
    .command('undo')
    .description('take back what an import wrote: its reviews and list entries, and the works and names it created that nothing else uses')
    .argument('<id>', 'import number')
    .action(async (id: string) => {
      const { undoImport } = await runsService();
      await withDb(config(), async (db) => {
        const n = await undoImport(db, parseId(id));
        const names = n.names ? `; ${n.names} people, studios, platforms, tags or authors it had brought, no longer used, removed` : '';
        process.stderr.write(`import #${id} undone: ${n.reviews} reviews, ${n.entries} list entries and ${n.works} works taken back${names}\n`);
      });
    });
}
