/**
 * Review files in the layouts blogs use: a title line, paragraphs, and a block of
 * "Label: value" lines (Director, Studio, Watch It On, Final Score…), sometimes at the top,
 * sometimes with Markdown emphasis, bullets or an en dash instead of a colon.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReviewRecord, WorkRecord } from '../../src/interchange/interchange.schema.js';
import { Rng } from './prng.js';
import { Catalog, defaultOptions, reviewBody, reviewScore, type WorkExtras } from './synth.js';

const KIND_LABEL: Record<string, string> = {
  anime_series: 'TV anime',
  anime_film: 'Anime film',
  ova: 'OVA',
  ona: 'ONA',
  special: 'Special',
  series: 'TV series',
  film: 'Film',
  other: 'Other',
};

const ROLE_LABEL: Record<string, string[]> = {
  director: ['Director', 'Directed by'],
  writer: ['Writer', 'Screenplay', 'Series Composition'],
  music: ['Music', 'Composer'],
  original_creator: ['Original Creator', 'Based on the manga by'],
  character_design: ['Character Design'],
  animation_director: ['Animation Director'],
  producer: ['Producer'],
  cast: ['Cast', 'Starring'],
};

function scoreLine(rng: Rng, score: ReviewRecord['score'], scoreText: string | null): string | null {
  if (!score || !scoreText) return null;
  // "½" alone (half a star) is not a score anyone can read.
  if (/^½$/.test(scoreText)) scoreText = `${score.value} out of ${score.max}`;
  const label = rng.pick(['Final Score', 'Score', 'My Rating', 'Rating', 'Final Score']);
  return `${label}: ${scoreText}`;
}

/** One review file; `variant` picks the layout. */
export function renderReviewFile(rng: Rng, work: WorkRecord, extras: WorkExtras, review: Pick<ReviewRecord, 'headline' | 'summary' | 'body' | 'score' | 'scoreText'>, variant: number): { text: string; ext: string } {
  const paragraphs = review.body.replace(/: \|\|/g, ', ||');
  // "Directed by X" needs no colon; the other labels take one.
  const credits = extras.credits.map((c) => {
    const label = rng.pick(ROLE_LABEL[c.role] ?? ['Credit']);
    return label.endsWith(' by') ? `${label} ${c.name}` : `${label}: ${c.name}`;
  });
  const studio = extras.studios.length ? `Studio: ${extras.studios.join(', ')}` : null;
  const platforms = extras.platforms.length ? `Watch It On: ${extras.platforms.join(', ')}` : null;
  const score = scoreLine(rng, review.score, review.scoreText);
  const lines = (xs: (string | null | undefined)[]) => xs.filter((x): x is string => Boolean(x));
  switch (variant % 4) {
    case 0: {
      // The plain blog layout: title, the review, then the facts.
      const title = work.year ? `${work.title} (${work.year})` : work.title;
      const type = work.kind && rng.chance(0.7) ? `Type: ${KIND_LABEL[work.kind]}` : null;
      return { ext: '.txt', text: [title, '', paragraphs, '', ...lines([type, ...credits, studio, platforms, score]), ''].join('\n') };
    }
    case 1: {
      // Markdown: heading, bold labels after the review.
      const info = lines([
        work.year ? `**Year:** ${work.year}` : null,
        work.kind ? `**Type:** ${KIND_LABEL[work.kind]}` : null,
        ...credits.map((c) => c.replace(/^([^:]+):/, '**$1:**')),
        studio?.replace(/^Studio:/, '**Studio:**'),
        extras.tags.length ? `**Genres:** ${extras.tags.join(', ')}` : null,
        platforms?.replace(/^Watch It On:/, '**Watch it on:**'),
        score?.replace(/^([^:]+):/, '**$1:**'),
      ]);
      return { ext: '.md', text: [`# ${work.title}`, '', review.headline ? `*${review.headline}*\n` : '', paragraphs, '', ...info, ''].join('\n') };
    }
    case 2: {
      // Facts first, as a bulleted list, then the review and a verdict.
      const info = lines([
        extras.original ? `Japanese Title: ${extras.original}` : null,
        work.year ? `Released: ${work.year}` : null,
        work.kind ? `Type – ${KIND_LABEL[work.kind]}` : null,
        ...credits,
        studio,
        platforms?.replace(/^Watch It On:/, 'Available on –'),
      ]).map((l) => `- ${l}`);
      const tail = lines([review.headline ? `Verdict: ${review.headline}` : null, score]);
      return { ext: '.txt', text: [work.title, '', ...info, '', paragraphs, '', ...tail, ''].join('\n') };
    }
    default: {
      // TL;DR up top, external id, score out of 100 or 10 at the end.
      const top = review.summary ? [`TL;DR: ${review.summary}`, ''] : [];
      const info = lines([
        ...credits,
        studio,
        extras.tags.length ? `Genres: ${extras.tags.join(', ')}` : null,
        platforms,
        work.externalIds.mal ? `MAL: ${work.externalIds.mal}` : work.externalIds.imdb ? `IMDb: ${work.externalIds.imdb}` : null,
        score,
      ]);
      const title = work.year ? `${work.title} (${work.year})` : work.title;
      return { ext: '.txt', text: [title, '', ...top, paragraphs, '', ...info, ''].join('\n') };
    }
  }
}

/** Writes `count` review files to `dir` (one work each, titles may repeat as they do in life). */
export function writeReviewFiles(dir: string, count: number, seed = 4242): { files: number; bytes: number } {
  mkdirSync(dir, { recursive: true });
  const catalog = new Catalog(defaultOptions(count, { works: count, seed }));
  let bytes = 0;
  for (let id = 1; id <= count; id++) {
    const { record, extras } = catalog.work(id);
    const rng = new Rng((seed * 31 + id) >>> 0);
    const { score, scoreText } = reviewScore(rng);
    const { body } = reviewBody(rng, rng.int(300, 3000));
    const headline = rng.chance(0.6) ? `${record.title}: ${rng.pick(['worth it', 'a mixed bag', 'a quiet triumph', 'skip it', 'better than expected'])}` : null;
    const summary = rng.chance(0.4) ? 'A short take for those in a hurry.' : null;
    const { text, ext } = renderReviewFile(rng, record, extras, { headline, summary, body, score, scoreText }, id);
    const name = `${String(id).padStart(5, '0')}-${record.slug}${ext}`;
    writeFileSync(join(dir, name), text);
    bytes += Buffer.byteLength(text);
  }
  return { files: count, bytes };
}
