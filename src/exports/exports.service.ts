/**
 * The exports a person takes their reviews away with (`kansou export --format csv|markdown|mal`):
 * every review and list entry read back as the importers' `SourceItem`s
 * (exports.repository.ts) and handed to the writer of the format. See docs/export.md.
 */
import type { Writable } from 'node:stream';
import type { Db } from '../db/connection.js';
import type { SourceItem } from '../import/import.types.js';
import { writeCsvExport } from '../import/csv/csv.export.js';
import { writeMalExport } from '../import/mal/mal.export.js';
import { AppError, notFound } from '../shared/errors.js';
import { exportItems, listCounts, listExportAuthors, type ExportOptions } from './exports.repository.js';
import { writeMarkdownZip } from './markdown.export.js';

/** A named author must exist: an export of nobody's reviews is a typo, not an empty file. */
async function checkAuthor(db: Db, options: ExportOptions): Promise<void> {
  if (options.author === undefined) return;
  const [author] = await listExportAuthors(db, { author: options.author });
  if (!author) throw notFound(`The author "${options.author}"`);
}

/**
 * Every review and list entry (of `options.author` only, when given) as CSV, in the columns the
 * CSV importer reads (docs/csv.md); the CSV writer leaves drafts out, the format having no
 * column for a review's status. `out` is not ended: the caller owns it.
 */
export async function exportCsv(db: Db, out: Writable, options: ExportOptions): Promise<{ written: number }> {
  await checkAuthor(db, options);
  return writeCsvExport(exportItems(db, options), out);
}

/**
 * One author's list and reviews as a MyAnimeList anime-list export (works without a MyAnimeList
 * id are skipped and counted). A MyAnimeList list belongs to one user, so with several authors
 * in the database one must be named. Draft reviews stay private: their text and score are left
 * out, and a draft of a work that is not on the author's list leaves the work out
 * (`drafts` counts them). `out` is not ended: the caller owns it.
 */
export async function exportMalXml(db: Db, out: Writable, options: ExportOptions): Promise<{ written: number; skipped: number; drafts: number }> {
  await checkAuthor(db, options);
  const authors = await listExportAuthors(db, { author: options.author });
  if (authors.length > 1) {
    throw new AppError(
      'invalid_input',
      `A MyAnimeList export is one person's list, and ${authors.length} authors have reviews or list entries here: choose one with --author.`,
    );
  }
  const counts = await listCounts(db, options);
  let drafts = 0;
  // MyAnimeList has no drafts: a list's comments and scores are public there.
  async function* withoutDrafts(): AsyncGenerator<SourceItem> {
    for await (const item of exportItems(db, options)) {
      if (item.review?.status !== 'draft') yield item;
      else {
        drafts++;
        if (item.entry) yield { ...item, review: null };
      }
    }
  }
  const result = await writeMalExport(withoutDrafts(), out, { userName: authors[0]?.name ?? '', counts });
  return { ...result, drafts };
}

/**
 * Every review (of `options.author` only, when given) as a ZIP of Markdown files with YAML
 * front matter at `outPath`; in a folder per author when several authors have reviews.
 */
export async function exportMarkdown(db: Db, outPath: string, options: ExportOptions): Promise<{ written: number }> {
  await checkAuthor(db, options);
  const authors = await listExportAuthors(db, { author: options.author, reviewsOnly: true });
  return writeMarkdownZip(exportItems(db, options), outPath, { authorFolders: authors.length > 1 });
}
