/**
 * A review blog: a WordPress export (WXR) or an RSS 2.0 / Atom feed file, read as a stream. Each
 * post's HTML becomes Markdown (blog.html.ts) and goes through the plain-text review parser, the
 * post title first, as the title line it expects; the feed adds what it knows better (date,
 * author, status, address, categories).
 */
import type { Readable } from 'node:stream';
import { AppError } from '../../shared/errors.js';
import { cleanName, fold } from '../../shared/text.js';
import type { ParsedItem, SourceEntry, SourceItem } from '../import.types.js';
import { parsePlainText, PlainTextParseError } from '../plaintext/plaintext.parser.js';
import { htmlToMarkdown, type Converted } from './blog.html.js';
import { readPost, type Post } from './blog.posts.js';
import { DEFAULT_LIMITS, readFeedItems, type FeedItem, type FeedLimits } from './blog.xml.js';

export interface BlogOptions {
  /** Size limits; the defaults suit any real blog. */
  limits?: Partial<FeedLimits>;
}

const MAX_REF_TITLE = 60;

function refOf(title: string | null, link: string | null, index: number): string {
  const shown = title === null ? null : title.length > MAX_REF_TITLE ? `${title.slice(0, MAX_REF_TITLE - 1).trimEnd()}…` : title;
  const name = shown === null ? `post ${index}` : `post "${shown}"`;
  return link ? `${name} (${link})` : name;
}

/** Line numbers of the converted text mean nothing to someone looking at their blog. */
const LINE_PREFIX = /^line \d+: /u;
/** The post title stands first as the title line; when the text names the work, it is the headline, as intended. */
const FIRST_LINE_IS_HEADLINE = /the first line is not the title ".*"; used it as the headline$/u;

const CANONICAL_INLINE_SPOILER = /\|\|[^|\n]+\|\|/u;

function withoutLines(message: string): string {
  return message.replace(LINE_PREFIX, '');
}

/**
 * Whether the parser found anything that makes the post a review of a work: a blog also holds
 * news, announcements and "site moved" posts, which read as reviews of works named after them.
 */
function describesAWork({ work, review }: ParsedItem): boolean {
  return (
    review.score !== null ||
    work.credits.length > 0 ||
    work.studios.length > 0 ||
    work.platforms.length > 0 ||
    work.altTitles.length > 0 ||
    work.year !== null ||
    work.kind !== null ||
    work.synopsis !== null ||
    Object.keys(work.externalIds).length > 0
  );
}

/** A first line repeating the post title (some themes and editors put it there), as a heading, in bold or plain. */
function dropRepeatedTitle(markdown: string, title: string): string {
  const end = markdown.indexOf('\n');
  const first = end === -1 ? markdown : markdown.slice(0, end);
  const bare = first.replace(/^#{1,6}[ \t]+/u, '').replace(/[ \t]+#+[ \t]*$/u, '').replace(/^[*_]+|[*_]+$/gu, '');
  return fold(cleanName(bare)) === fold(title) ? markdown.slice(first.length).trimStart() : markdown;
}

function mergeTags(...lists: string[][]): string[] {
  const tags: string[] = [];
  for (const tag of lists.flat()) if (!tags.some((t) => fold(t) === fold(tag))) tags.push(tag);
  return tags;
}

function convert(post: Post): Converted | { error: string } {
  if (!post.content) return { markdown: '', warnings: [] };
  if (post.content.type === 'text') return { markdown: post.content.value, warnings: [] };
  try {
    return htmlToMarkdown(post.content.value, { wordpress: post.wordpress });
  } catch (error) {
    return { error: `the post's HTML could not be converted: ${error instanceof Error ? error.message : String(error)}` };
  }
}

const EXCERPT_ONLY = "the feed holds only an excerpt of this post; import the blog's full export (or a full-text feed) for the whole review";

/** Reads the post; an excerpt is read too, but the author hears that it is only the start of the review. */
function readReview(post: Post, ref: string): SourceEntry {
  const result = readPostText(post, ref);
  if (!post.excerptOnly) return result;
  if ('error' in result) return { ref, error: `${result.error}; ${EXCERPT_ONLY}` };
  if ('item' in result) return { ref, item: { ...result.item, warnings: [EXCERPT_ONLY, ...result.item.warnings] } };
  return result;
}

function readPostText(post: Post, ref: string): SourceEntry {
  const converted = convert(post);
  if ('error' in converted) return { ref, error: converted.error };
  const title = post.title;
  const markdown = title ? dropRepeatedTitle(converted.markdown, title) : converted.markdown;
  if (markdown.trim() === '') return { ref, error: 'the post has no text' };

  let parsed: ParsedItem;
  try {
    parsed = parsePlainText(title ? `# ${title}\n\n${markdown}` : markdown);
  } catch (error) {
    if (error instanceof PlainTextParseError) return { ref, error: `not read as a review: ${withoutLines(error.message)}` };
    throw error;
  }
  if (!describesAWork(parsed)) {
    return { ref, error: 'not read as a review: no score and nothing about a work (no "Director:", "Studio:" or "Final Score:" lines, no score in the last paragraph)' };
  }

  const { work, review } = parsed;
  // When the text names the work otherwise ("Anime: …"), the parser may have put the title line back into the body.
  const body = title ? dropRepeatedTitle(review.body, title) : review.body;
  const warnings = [
    ...post.warnings,
    ...converted.warnings,
    ...parsed.warnings.filter((w) => !FIRST_LINE_IS_HEADLINE.test(w)).map(withoutLines),
  ];
  // A spoiler the post marked up may end in the summary ("Verdict: <span class=spoiler>…"): the review has spoilers all the same.
  const summarySpoils = review.summary !== null && CANONICAL_INLINE_SPOILER.test(review.summary);
  const item: SourceItem = {
    work: { ...work, tags: mergeTags(work.tags, post.tags) },
    review: {
      ...review,
      headline: review.headline ?? title,
      body,
      hasSpoilers: review.hasSpoilers || summarySpoils,
      publishedAt: post.publishedAt ?? review.publishedAt,
      status: post.draft || review.status === 'draft' ? 'draft' : 'published',
    },
    sourceUrl: post.link,
    author: post.author,
    warnings,
  };
  return { ref, item };
}

function readItem(feedItem: FeedItem, maxFieldChars: number): SourceEntry {
  const reading = readPost(feedItem);
  if ('post' in reading) {
    const { post } = reading;
    const ref = refOf(post.title, post.link, feedItem.index);
    if (feedItem.tooLarge) return { ref, error: `the post is too large: its ${feedItem.tooLarge} is over ${maxFieldChars.toLocaleString('en')} characters; not read` };
    return readReview(post, ref);
  }
  const title = feedItem.fields.get('title')?.text ?? feedItem.fields.get('atom:title')?.text ?? null;
  const link = feedItem.fields.get('link')?.text ?? null;
  const ref = refOf(title ? cleanName(title) || null : null, link ? link.trim() || null : null, feedItem.index);
  return 'skip' in reading ? { ref, skip: reading.skip } : { ref, error: reading.error };
}

/**
 * Reads a blog export or feed from `input`, one SourceEntry per item, as the items are read:
 * posts become reviews, other items (pages, attachments…) are skipped with the reason, and a post
 * that does not read as a review is an error entry saying why. A file that is not XML, not
 * well-formed, not a feed, too large, or declares entities is an AppError; entries already
 * yielded by then stand.
 */
export async function* parseBlog(input: Readable, source: string, options: BlogOptions = {}): AsyncGenerator<SourceEntry> {
  const limits: FeedLimits = { ...DEFAULT_LIMITS, ...options.limits };
  let items = 0;
  for await (const feedItem of readFeedItems(input, source, limits)) {
    items += 1;
    yield readItem(feedItem, limits.maxFieldChars);
  }
  if (items === 0) throw new AppError('invalid_input', `${source}: the feed has no posts`);
}
