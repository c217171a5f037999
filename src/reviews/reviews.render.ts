/**
 * A review body is rendered when it is written, not on every view: Markdown to HTML and the
 * spoiler-free plain text that excerpts, descriptions and structured data are cut from. On a
 * review page the Markdown alone took more CPU than everything else the page does.
 *
 * The stored rendering is derived data (table `review_renders`): the database drops it when a
 * body changes, a page renders on the spot what has none, and `renderPendingReviews` fills in
 * what a restore or an older version left unrendered.
 */
import { plainText, renderReviewBody } from '../site/markdown.js';

/**
 * The version of what `renderReview` makes. Raise it whenever its output changes (site/markdown.ts):
 * every stored rendering of an older version is then made again.
 */
export const RENDERER = 1;

/** Longer than any excerpt a listing shows, so an excerpt cut from the start equals one cut from the whole. */
export const TEXT_START_LENGTH = 500;

export interface ReviewRender {
  textStart: string;
  bodyText: string;
  bodyHtml: string;
}

export function renderReview(body: string): ReviewRender {
  const bodyText = plainText(body);
  return { textStart: bodyText.slice(0, TEXT_START_LENGTH), bodyText, bodyHtml: renderReviewBody(body) };
}
