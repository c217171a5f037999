/**
 * The part of importing a review file that needs no database: reading, parsing, and working
 * out what the review's rows will hold besides its fields — the rendering (Markdown to HTML and
 * plain text, ~100–130 µs a review) and the folded body for search. Pure, so it can run on
 * another thread while the main one writes (import/parse.worker.ts).
 */
import { renderReview } from '../reviews/reviews.render.js';
import type { PreparedReview } from '../reviews/reviews.service.js';
import { withoutSpoilers } from '../reviews/spoilers.js';
import { makeSlug } from '../shared/slug.js';
import { cleanName, foldWords } from '../shared/text.js';
import type { PreparedWork } from '../works/works.service.js';
import { readTextFile, UnreadableFileError } from './files.js';
import type { ParsedItem, ParsedWork } from './import.types.js';
import { parsePlainText, PlainTextParseError } from './plaintext/plaintext.parser.js';

/** What a review's rows hold besides its fields; see `PreparedReview`. */
export function prepareReview(body: string): PreparedReview {
  return { render: renderReview(body), bodyDocument: foldWords(withoutSpoilers(body, ' ')) };
}

/** How a work is looked up, and the slug it gets if it is new; see `PreparedWork`. */
export function prepareWork(work: ParsedWork): PreparedWork {
  return {
    slug: makeSlug(cleanName(work.title), 'work'),
    titleKeys: [work.title, ...work.altTitles.map((t) => t.title)].map(titleKey),
  };
}

/** The folded form under which titles are matched (work_titles.title_key). */
export function titleKey(title: string): string {
  return foldWords(title) || cleanName(title).toLowerCase();
}

export interface PreparedItem {
  work: PreparedWork;
  review: PreparedReview;
}

export function prepareItem(item: ParsedItem): PreparedItem {
  return { work: prepareWork(item.work), review: prepareReview(item.review.body) };
}

/** A file read and parsed (with its work and review prepared), or why it could not be. */
export type PreparedFile = { path: string; item: ParsedItem; prepared: PreparedItem; error?: undefined } | { path: string; error: string };

/**
 * Reads, parses and prepares one review file. A file that is not a review gives its reason;
 * anything else (a bug) is thrown.
 */
export function prepareFile(path: string): PreparedFile {
  let item: ParsedItem;
  try {
    item = parsePlainText(readTextFile(path), { filename: path });
  } catch (error) {
    if (error instanceof UnreadableFileError || error instanceof PlainTextParseError) return { path, error: error.message };
    throw error;
  }
  return { path, item, prepared: prepareItem(item) };
}
