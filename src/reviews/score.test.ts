import { describe, it, expect } from 'vitest';
import { findScores, formatScore, isValidScore, parseScore, ratingFromScore } from './score.js';

describe('parseScore', () => {
  it.each([
    ['2.5 out of 5', 2.5, 5, '2.5 out of 5'],
    ['4/5', 4, 5, '4/5'],
    ['8.5/10', 8.5, 10, '8.5/10'],
    ['8,5/10', 8.5, 10, '8,5/10'],
    ['86/100', 86, 100, '86/100'],
    ['15 / 20', 15, 20, '15 / 20'],
    ['3/4', 3, 4, '3/4'],
    ['4.5 stars', 4.5, 5, '4.5 stars'],
    ['a 4-star show', 4, 5, '4-star'],
    ['3 and a half stars', 3.5, 5, '3 and a half stars'],
    ['3½ stars', 3.5, 5, '3½ stars'],
    ['4.5/5 stars', 4.5, 5, '4.5/5 stars'],
    ['4 out of 5 stars', 4, 5, '4 out of 5 stars'],
    ['★★★½', 3.5, 5, '★★★½'],
    ['★★★★☆', 4, 5, '★★★★☆'],
    ['⭐⭐⭐', 3, 5, '⭐⭐⭐'],
    ['☆☆☆☆☆', 0, 5, '☆☆☆☆☆'],
    ['7 out of 10', 7, 10, '7 out of 10'],
    ["I'd give it a 7 out of 10.", 7, 10, '7 out of 10'],
    ['I gave Hero ≠ Mask a 2.5 out of 5 because', 2.5, 5, '2.5 out of 5'],
    ['10/10', 10, 10, '10/10'],
    ['0/10', 0, 10, '0/10'],
    ['**9/10**', 9, 10, '9/10'],
    ['86%', 86, 100, '86%'],
  ])('reads %j as %d/%d', (text, value, max, scoreText) => {
    expect(parseScore(text)).toEqual({ score: { value, max }, scoreText });
  });

  it.each([['A+', 'A+'], ['B-', 'B-'], ['C', 'C'], ['b+', 'B+'], ['Grade: A−', 'A-'], ['**B**', 'B']])(
    'returns letter grade %j as a letter, never a number',
    (text, letter) => {
      expect(parseScore(text)).toEqual({ letter });
    },
  );

  it.each([
    ['9', 'a bare number has no scale'],
    ['Score: 9', 'a bare number has no scale'],
    ['6/5', 'value above the scale'],
    ['12/10', 'value above the scale'],
    ['-3/5', 'negative'],
    ['3/7', 'not a scale people use'],
    ['released 11/2018', 'a date'],
    ['3/4/2018', 'a date'],
    ['24/7', 'not a score'],
    ['★★★★★★★', 'more than five stars'],
    ['★½½', 'two halves'],
    ['1½ hours long', 'a half alone is not a star rating'],
    ['90% of it is filler', 'percent only counts as the whole value'],
    ['It is a B-movie at heart', 'letters only count as the whole value'],
    ['', 'empty'],
    ['great show', 'no score'],
  ])('rejects %j (%s)', (text) => {
    expect(parseScore(text)).toBeNull();
  });
});

describe('findScores', () => {
  it('finds every score in reading order with its position', () => {
    const found = findScores('Season one was 6/10, but this one is a solid 8.5 out of 10.');
    expect(found.map((f) => f.scoreText)).toEqual(['6/10', '8.5 out of 10']);
    expect(found[1]?.index).toBe(45);
  });

  it('does not read a second score inside "4.5/5 stars"', () => {
    expect(findScores('4.5/5 stars')).toHaveLength(1);
  });
});

describe('ratingFromScore', () => {
  it.each([
    [2.5, 5, 50],
    [7, 10, 70],
    [86, 100, 86],
    [3.5, 5, 70],
    [15, 20, 75],
    [3, 4, 75],
    [8.75, 10, 88],
    [0, 10, 0],
    [10, 10, 100],
  ])('%d/%d → %d', (value, max, rating) => {
    expect(ratingFromScore({ value, max })).toBe(rating);
  });
});

describe('formatScore', () => {
  it('writes the reviewer’s own scale', () => {
    expect(formatScore({ value: 2.5, max: 5 })).toBe('2.5 out of 5');
    expect(formatScore({ value: 9, max: 10 })).toBe('9 out of 10');
  });
});

describe('isValidScore', () => {
  it('accepts only sensible scales and values within them', () => {
    expect(isValidScore({ value: 4, max: 5 })).toBe(true);
    expect(isValidScore({ value: 6, max: 5 })).toBe(false);
    expect(isValidScore({ value: 3, max: 7 })).toBe(false);
    expect(isValidScore({ value: Number.NaN, max: 10 })).toBe(false);
  });
});
