/**
 * AniList list scores: which of the user's five score formats a file is in, and what one score
 * means on Kansou's `{ value, max }` scale. A list fetched through the API carries scores in the
 * user's own format (`MediaList.score` without an argument), which only
 * `user.mediaListOptions.scoreFormat` names; without it the format is inferred from the scores,
 * and only where they leave no doubt about the scale.
 */
import type { Score } from '../import.types.js';

export const SCORE_FORMATS = ['POINT_100', 'POINT_10_DECIMAL', 'POINT_10', 'POINT_5', 'POINT_3'] as const;
export type ScoreFormat = (typeof SCORE_FORMATS)[number];

const MAX: Record<ScoreFormat, number> = { POINT_100: 100, POINT_10_DECIMAL: 10, POINT_10: 10, POINT_5: 5, POINT_3: 3 };

/**
 * The smileys on the 100 scale. AniList stores every score on 100 and shows a smiley for a
 * range of it; setting a smiley stores 35, 60 or 85, and those are the values its other
 * clients (Tachiyomi and its forks, among others) write and read back, so a list converted
 * to 100 points on AniList and this table agree. A plain ×33 would call ":)" a perfect 100.
 */
export const SMILEYS: Readonly<Record<1 | 2 | 3, { value: number; text: string }>> = {
  1: { value: 35, text: ':(' },
  2: { value: 60, text: ':|' },
  3: { value: 85, text: ':)' },
};

export interface ResolvedFormat {
  /** null: scores there are, but their scale cannot be told, so none is imported. */
  format: ScoreFormat | null;
  /** Said on every scored entry: the format was guessed, corrected or is unknown. */
  warning: string | null;
}

function isScoreFormat(value: unknown): value is ScoreFormat {
  return typeof value === 'string' && (SCORE_FORMATS as readonly string[]).includes(value);
}

/**
 * The format the file's scores are in. `declared` is `user.mediaListOptions.scoreFormat` (or
 * undefined), `scores` every non-zero score of the file.
 */
export function resolveScoreFormat(declared: unknown, scores: number[]): ResolvedFormat {
  const highest = scores.reduce((max, s) => Math.max(max, s), 0);
  if (isScoreFormat(declared)) {
    // A list fetched with `score(format: POINT_100)` keeps the user's own format in the options.
    if (declared !== 'POINT_100' && highest > MAX[declared] && highest <= 100) {
      return highest > 10
        ? { format: 'POINT_100', warning: `the list's score format is ${declared}, but scores go up to ${highest}: read them as out of 100` }
        : {
            format: null,
            warning: `the list's score format is ${declared} (0–${MAX[declared]}), but scores go up to ${highest}: the scale cannot be told, so no score was imported`,
          };
    }
    return { format: declared, warning: null };
  }
  const unknown = declared === undefined || declared === null ? '' : `the score format "${String(declared)}" is not one AniList has; `;
  if (scores.length === 0) return { format: null, warning: null };
  if (highest > 10) {
    return { format: 'POINT_100', warning: unknown ? `${unknown}scores go up to ${highest}, so read as out of 100` : null };
  }
  if (scores.some((s) => !Number.isInteger(s))) {
    return { format: 'POINT_10_DECIMAL', warning: unknown ? `${unknown}scores have decimals, so read as out of 10` : null };
  }
  const why = unknown || 'the file does not say which score format the list uses (user.mediaListOptions.scoreFormat); ';
  if (highest > 5) {
    return { format: 'POINT_10', warning: `${why}scores go up to ${highest}, so read as out of 10 (a guess)` };
  }
  // 1 to 5 fits stars, ten points and (up to 3) smileys alike: a wrong number is worse than none.
  return {
    format: null,
    warning: `${why}scores from 1 to ${highest} could be out of 3, 5 or 10, so none was imported; export the list with user { mediaListOptions { scoreFormat } } to keep them`,
  };
}

export type ReadScore = { score: Score; scoreText: string; warning: string | null } | { problem: string };

/** One score in `format`; null for 0, which AniList uses for "not scored". */
export function readScore(raw: number, format: ScoreFormat): ReadScore | null {
  if (raw === 0) return null;
  const max = MAX[format];
  if (!Number.isFinite(raw) || raw < 0 || raw > max) return { problem: `the score ${raw} is not on the ${format} scale (0–${max}); imported without a score` };
  if (format === 'POINT_3') {
    const smiley = Number.isInteger(raw) ? SMILEYS[raw as 1 | 2 | 3] : undefined;
    if (!smiley) return { problem: `the score ${raw} is not a smiley (1, 2 or 3); imported without a score` };
    return {
      score: { value: smiley.value, max: 100 },
      scoreText: smiley.text,
      warning: `the smiley ${smiley.text} was imported as ${smiley.value} out of 100 (AniList's own value for it)`,
    };
  }
  // POINT_10_DECIMAL has one decimal; floats from JSON may carry binary noise (7.499999).
  const value = format === 'POINT_10_DECIMAL' ? Math.round(raw * 10) / 10 : raw;
  return { score: { value, max }, scoreText: `${value}/${max}`, warning: null };
}
