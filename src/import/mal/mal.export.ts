/**
 * Writes an author's list and reviews as a MyAnimeList anime-list export, in the 1.1.0 layout
 * MyAnimeList itself produces (`<myinfo>`, then one `<anime>` per work), so the file can be
 * uploaded to MyAnimeList's importer or read back by `parseMalExport`.
 *
 * What maps to what, and why:
 * - MyAnimeList matches entries by its own id only, so a work without `externalIds.mal` cannot be
 *   written and is skipped (and counted, so the caller can say how many).
 * - The score is the review's 0–100 rating on MyAnimeList's whole-number 1–10 scale
 *   (`round(rating / 10)`, at least 1, since MyAnimeList's 0 means "not scored"); no score is 0.
 * - The comments are the review body; the list entry gives status, progress, dates, rewatch count
 *   and tags. A work with no list status is written as Completed when it has a review (a review
 *   is written after watching) and Plan to Watch otherwise, because MyAnimeList requires one.
 * - `update_on_import` is 1, asking MyAnimeList to overwrite what the account already has, which
 *   is the point of uploading the file.
 *
 * Free text (title, comments, tags) goes in CDATA, split around any `]]>` it contains; everything
 * else is escaped, and characters XML cannot carry at all (control characters) are dropped so the
 * file always parses. Output respects backpressure: a slow destination is waited for, not buffered.
 */
import type { Writable } from 'node:stream';
import { AppError } from '../../shared/errors.js';
import { drained } from '../../shared/streams.js';
import type { ListStatus, SourceItem, WorkKind } from '../import.types.js';

export interface MalExportInfo {
  userName: string;
  counts: { total: number; watching: number; completed: number; on_hold: number; dropped: number; plan_to_watch: number };
}

const STATUS_TEXT: Record<ListStatus, string> = {
  watching: 'Watching',
  completed: 'Completed',
  on_hold: 'On-Hold',
  dropped: 'Dropped',
  plan_to_watch: 'Plan to Watch',
};

/** Kinds without a MyAnimeList type (live action, other) are written as MyAnimeList's own "Unknown". */
const TYPE_TEXT: Partial<Record<WorkKind, string>> = {
  anime_series: 'TV',
  anime_film: 'Movie',
  ova: 'OVA',
  ona: 'ONA',
  special: 'Special',
};

const NO_DATE = '0000-00-00';

/** Everything outside XML 1.0's Char production: C0 controls other than tab/newline/return, lone surrogates, U+FFFE/U+FFFF. */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function xmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(text: string): string {
  return xmlChars(text).replace(/[&<>"']/gu, (c) => ESCAPES[c] ?? c);
}

/** A CDATA section cannot contain `]]>`: close it between `]]` and `>` and open another. */
function cdata(text: string): string {
  return `<![CDATA[${xmlChars(text).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function malDate(date: string | null | undefined): string {
  return date && /^\d{4}-\d{2}-\d{2}$/u.test(date) ? date : NO_DATE;
}

function count(value: number | null | undefined): number {
  return value !== null && value !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

/** 0–100 → MyAnimeList's 1–10, 0 meaning unscored (FORMATS.md §8). */
function malScore(rating: number | null | undefined): number {
  if (rating === null || rating === undefined || !Number.isFinite(rating)) return 0;
  return Math.min(10, Math.max(1, Math.round(rating / 10)));
}

function malId(item: SourceItem): string | null {
  const id = item.work.externalIds.mal?.trim();
  return id && /^\d{1,12}$/u.test(id) && Number(id) > 0 ? String(Number(id)) : null;
}

function statusOf(item: SourceItem): ListStatus {
  return item.entry?.status ?? (item.review ? 'completed' : 'plan_to_watch');
}

function header(info: MalExportInfo): string {
  const c = info.counts;
  return [
    '<?xml version="1.0" encoding="UTF-8" ?>',
    '<!--',
    ' Exported from Kansou in the layout of the MyAnimeList XML export',
    ' Version 1.1.0',
    '-->',
    '',
    '<myanimelist>',
    '',
    '\t<myinfo>',
    '\t\t<user_id>0</user_id>',
    `\t\t<user_name>${escapeXml(info.userName)}</user_name>`,
    '\t\t<user_export_type>1</user_export_type>',
    `\t\t<user_total_anime>${count(c.total)}</user_total_anime>`,
    `\t\t<user_total_watching>${count(c.watching)}</user_total_watching>`,
    `\t\t<user_total_completed>${count(c.completed)}</user_total_completed>`,
    `\t\t<user_total_onhold>${count(c.on_hold)}</user_total_onhold>`,
    `\t\t<user_total_dropped>${count(c.dropped)}</user_total_dropped>`,
    `\t\t<user_total_plantowatch>${count(c.plan_to_watch)}</user_total_plantowatch>`,
    '\t</myinfo>',
    '',
    '',
  ].join('\n');
}

function animeXml(id: string, item: SourceItem): string {
  const { work, review, entry } = item;
  const fields: [string, string][] = [
    ['series_animedb_id', id],
    ['series_title', cdata(work.title)],
    ['series_type', escapeXml((work.kind && TYPE_TEXT[work.kind]) ?? 'Unknown')],
    ['series_episodes', String(count(work.episodes))],
    ['my_id', '0'],
    ['my_watched_episodes', String(count(entry?.progress))],
    ['my_start_date', malDate(entry?.startedOn)],
    ['my_finish_date', malDate(entry?.finishedOn)],
    ['my_rated', ''],
    ['my_score', String(malScore(review?.rating))],
    ['my_storage', ''],
    ['my_storage_value', '0.00'],
    ['my_status', escapeXml(STATUS_TEXT[statusOf(item)])],
    ['my_comments', cdata(review?.body ?? '')],
    ['my_times_watched', String(count(entry?.timesWatched))],
    ['my_rewatch_value', ''],
    ['my_priority', 'LOW'],
    ['my_tags', cdata((entry?.tags ?? []).join(', '))],
    ['my_rewatching', '0'],
    ['my_rewatching_ep', '0'],
    ['my_discuss', '1'],
    ['my_sns', 'default'],
    ['update_on_import', '1'],
  ];
  const lines = fields.map(([name, value]) => `\t\t<${name}>${value}</${name}>`);
  return `\t<anime>\n${lines.join('\n')}\n\t</anime>\n\n`;
}

/** Writes `chunk`, and when `out` asks to wait, waits for it to drain (or fail, or close). */
async function put(out: Writable, chunk: string): Promise<void> {
  if (out.destroyed || out.writableEnded) throw new AppError('internal', 'The export destination closed before the export was written.');
  if (!out.write(chunk)) await drained(out, () => new AppError('internal', 'The export destination closed before the export was written.'));
}

/**
 * Writes `items` to `out` as a MyAnimeList anime-list export that MyAnimeList's importer and
 * `parseMalExport` accept. Items without a MyAnimeList id are skipped. `out` is not ended: the
 * caller owns it (it may be a gzip stream or an HTTP response) and ends it when done.
 */
export async function writeMalExport(
  items: AsyncIterable<SourceItem>,
  out: Writable,
  info: MalExportInfo,
): Promise<{ written: number; skipped: number }> {
  let written = 0;
  let skipped = 0;
  await put(out, header(info));
  for await (const item of items) {
    const id = malId(item);
    if (id === null) {
      skipped += 1;
      continue;
    }
    await put(out, animeXml(id, item));
    written += 1;
  }
  await put(out, '</myanimelist>\n');
  return { written, skipped };
}
