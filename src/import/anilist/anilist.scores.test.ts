import { describe, expect, it } from 'vitest';
import { readScore, resolveScoreFormat, SMILEYS } from './anilist.scores.js';

describe('resolveScoreFormat', () => {
  it('takes the declared format when the scores fit it', () => {
    expect(resolveScoreFormat('POINT_5', [1, 5, 3])).toEqual({ format: 'POINT_5', warning: null });
    expect(resolveScoreFormat('POINT_100', [])).toEqual({ format: 'POINT_100', warning: null });
  });

  it('reads scores too high for the declared format as out of 100 only when they leave no doubt', () => {
    expect(resolveScoreFormat('POINT_3', [85, 35])).toMatchObject({ format: 'POINT_100' });
    // 8 on a five-star list could be out of 10 or out of 100: no score is better than a wrong one.
    expect(resolveScoreFormat('POINT_5', [8, 4])).toMatchObject({ format: null, warning: expect.stringContaining('cannot be told') });
  });

  it('infers only what the scores prove, and says when it guesses', () => {
    expect(resolveScoreFormat(undefined, [])).toEqual({ format: null, warning: null });
    expect(resolveScoreFormat(undefined, [75, 8])).toEqual({ format: 'POINT_100', warning: null });
    expect(resolveScoreFormat(undefined, [7.5, 8])).toEqual({ format: 'POINT_10_DECIMAL', warning: null });
    expect(resolveScoreFormat(undefined, [7, 8])).toMatchObject({ format: 'POINT_10', warning: expect.stringContaining('a guess') });
    expect(resolveScoreFormat(undefined, [3, 2])).toMatchObject({ format: null, warning: expect.stringContaining('could be out of 3, 5 or 10') });
    expect(resolveScoreFormat('POINT_7', [70])).toMatchObject({ format: 'POINT_100', warning: expect.stringContaining('"POINT_7" is not one AniList has') });
  });
});

describe('readScore', () => {
  it('keeps the value on its own scale', () => {
    expect(readScore(73, 'POINT_100')).toEqual({ score: { value: 73, max: 100 }, scoreText: '73/100', warning: null });
    expect(readScore(7.499999, 'POINT_10_DECIMAL')).toEqual({ score: { value: 7.5, max: 10 }, scoreText: '7.5/10', warning: null });
    expect(readScore(3, 'POINT_5')).toMatchObject({ score: { value: 3, max: 5 } });
  });

  it('maps smileys through the table: 1 → 35, 2 → 60, 3 → 85', () => {
    expect(Object.values(SMILEYS).map((s) => [s.text, s.value])).toEqual([
      [':(', 35],
      [':|', 60],
      [':)', 85],
    ]);
    expect(readScore(2, 'POINT_3')).toMatchObject({ score: { value: 60, max: 100 }, scoreText: ':|' });
    expect(readScore(2.5, 'POINT_3')).toEqual({ problem: 'the score 2.5 is not a smiley (1, 2 or 3); imported without a score' });
  });

  it('treats 0 as no score and refuses values off the scale', () => {
    expect(readScore(0, 'POINT_10')).toBeNull();
    expect(readScore(11, 'POINT_10')).toEqual({ problem: 'the score 11 is not on the POINT_10 scale (0–10); imported without a score' });
    expect(readScore(-1, 'POINT_100')).toMatchObject({ problem: expect.any(String) });
  });
});
