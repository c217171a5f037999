/**
 * Synthetic list exports for the import benchmarks, written as the sites write them: a
 * MyAnimeList anime list (`.xml.gz`, layout 1.1.0) and a Letterboxd export ZIP (watched,
 * ratings, diary and reviews CSVs). Seeded: the same files on every run.
 */
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { rename } from 'node:fs/promises';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import yazl from 'yazl';
import { Rng } from './prng.js';
import { EN_ADJ, EN_NOUN, R_ADJ, R_NOUN, ROMAJI_ADJ, ROMAJI_NOUN, TAGS } from './vocab.js';

const STATUSES = ['Watching', 'Completed', 'On-Hold', 'Dropped', 'Plan to Watch'] as const;
const TYPES = ['TV', 'Movie', 'OVA', 'ONA', 'Special'] as const;

function title(rng: Rng, n: number): string {
  const base = rng.chance(0.5) ? `${rng.pick(ROMAJI_ADJ)} ${rng.pick(ROMAJI_NOUN)}` : `The ${rng.pick(EN_ADJ)} ${rng.pick(EN_NOUN)}`;
  // A number keeps 100,000 titles distinct, as real lists' titles are.
  return `${base} ${n}`;
}

function date(rng: Rng): string {
  if (rng.chance(0.3)) return '0000-00-00';
  return `${rng.int(2005, 2025)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
}

function sentence(rng: Rng): string {
  return `The ${rng.pick(R_ADJ)} ${rng.pick(R_NOUN)} stays with me.`;
}

async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out as unknown as NodeJS.EventEmitter, 'drain');
}

/** A MyAnimeList export of `entries` anime, gzipped; reused when present. */
export async function malExport(path: string, entries: number): Promise<{ path: string; bytes: number; reused: boolean }> {
  if (existsSync(path)) return { path, bytes: statSync(path).size, reused: true };
  const rng = new Rng(5);
  const gzip = createGzip();
  mkdirSync(dirname(path), { recursive: true });
  const file = createWriteStream(`${path}.partial`);
  gzip.pipe(file);
  await write(gzip, `<?xml version="1.0" encoding="UTF-8" ?>\n<!--\n Created by XML Export feature at MyAnimeList.net\n Version 1.1.0\n-->\n<myanimelist>\n`);
  await write(gzip, `\t<myinfo>\n\t\t<user_id>1</user_id>\n\t\t<user_name>bench</user_name>\n\t\t<user_export_type>1</user_export_type>\n\t\t<user_total_anime>${entries}</user_total_anime>\n\t</myinfo>\n`);
  for (let n = 1; n <= entries; n++) {
    const status = rng.pick(STATUSES);
    const score = status === 'Plan to Watch' || rng.chance(0.2) ? 0 : rng.int(1, 10);
    const comments = rng.chance(0.15) ? `${sentence(rng)} ${sentence(rng)}` : '';
    const tags = rng.chance(0.3) ? rng.sample(TAGS, 2).join(', ') : '';
    await write(
      gzip,
      `\t<anime>\n\t\t<series_animedb_id>${n}</series_animedb_id>\n\t\t<series_title><![CDATA[${title(rng, n)}]]></series_title>\n\t\t<series_type>${rng.pick(TYPES)}</series_type>\n\t\t<series_episodes>${rng.int(0, 26)}</series_episodes>\n\t\t<my_id>0</my_id>\n\t\t<my_watched_episodes>${rng.int(0, 26)}</my_watched_episodes>\n\t\t<my_start_date>${date(rng)}</my_start_date>\n\t\t<my_finish_date>${date(rng)}</my_finish_date>\n\t\t<my_rated></my_rated>\n\t\t<my_score>${score}</my_score>\n\t\t<my_storage></my_storage>\n\t\t<my_storage_value>0.00</my_storage_value>\n\t\t<my_status>${status}</my_status>\n\t\t<my_comments><![CDATA[${comments}]]></my_comments>\n\t\t<my_times_watched>${rng.int(0, 2)}</my_times_watched>\n\t\t<my_rewatch_value></my_rewatch_value>\n\t\t<my_priority>LOW</my_priority>\n\t\t<my_tags><![CDATA[${tags}]]></my_tags>\n\t\t<my_rewatching>0</my_rewatching>\n\t\t<my_rewatching_ep>0</my_rewatching_ep>\n\t\t<my_discuss>1</my_discuss>\n\t\t<my_sns>default</my_sns>\n\t\t<update_on_import>0</update_on_import>\n\t</anime>\n`,
    );
  }
  await write(gzip, '</myanimelist>\n');
  gzip.end();
  await once(file, 'close');
  await rename(`${path}.partial`, path);
  return { path, bytes: statSync(path).size, reused: false };
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * A Letterboxd export ZIP with `films` films: each watched; most rated; some logged in the
 * diary (a few twice); some reviewed. Returns the number of CSV rows, the measure of its size.
 */
export async function letterboxdExport(path: string, films: number): Promise<{ path: string; bytes: number; rows: number; reused: boolean }> {
  const rng = new Rng(7);
  const watched = ['Date,Name,Year,Letterboxd URI'];
  const ratings = ['Date,Name,Year,Letterboxd URI,Rating'];
  const diary = ['Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date'];
  const reviews = ['Date,Name,Year,Letterboxd URI,Rating,Rewatch,Review,Tags,Watched Date'];
  for (let n = 1; n <= films; n++) {
    const name = csvCell(title(rng, n));
    const year = rng.int(1950, 2025);
    const logged = date(rng).replace('0000-00-00', '2021-06-01');
    const rating = rng.chance(0.8) ? String(rng.int(1, 10) / 2) : '';
    const uri = `https://boxd.it/${n.toString(36)}`;
    watched.push(`${logged},${name},${year},${uri}`);
    if (rating) ratings.push(`${logged},${name},${year},${uri},${rating}`);
    const diaryRows = rng.chance(0.4) ? (rng.chance(0.1) ? 2 : 1) : 0;
    for (let d = 0; d < diaryRows; d++) {
      diary.push(`${logged},${name},${year},${uri}d${d},${rating},${d ? 'Yes' : ''},${csvCell(rng.chance(0.3) ? rng.sample(TAGS, 2).join(', ') : '')},${logged}`);
    }
    if (rng.chance(0.2)) reviews.push(`${logged},${name},${year},${uri}r,${rating},,${csvCell(`${sentence(rng)}\n\n${sentence(rng)}`)},,${logged}`);
  }
  const rows = watched.length + ratings.length + diary.length + reviews.length - 4;
  if (existsSync(path)) return { path, bytes: statSync(path).size, rows, reused: true };
  const zip = new yazl.ZipFile();
  for (const [name, lines] of [['watched.csv', watched], ['ratings.csv', ratings], ['diary.csv', diary], ['reviews.csv', reviews]] as const) {
    zip.addBuffer(Buffer.from(`${lines.join('\n')}\n`), name);
  }
  zip.end();
  mkdirSync(dirname(path), { recursive: true });
  const file = createWriteStream(`${path}.partial`);
  zip.outputStream.pipe(file);
  await once(file, 'close');
  await rename(`${path}.partial`, path);
  return { path, bytes: statSync(path).size, rows, reused: false };
}
