import { describe, it, expect } from 'vitest';
import { lookupLabel, normalizeLabel, parseLabelLine } from './plaintext.labels.js';

describe('parseLabelLine', () => {
  it.each([
    ['Director: Hiroyasu Aoki', 'Director', 'Hiroyasu Aoki'],
    ['**Director:** Hiroyasu Aoki', 'Director', 'Hiroyasu Aoki'],
    ['**Director**: Hiroyasu Aoki', 'Director', 'Hiroyasu Aoki'],
    ['_Studio_ – Pierrot', 'Studio', 'Pierrot'],
    ['- Studio: Pierrot', 'Studio', 'Pierrot'],
    ['Available on — Crunchyroll, Hulu', 'Available on', 'Crunchyroll, Hulu'],
    ['Released - 2018', 'Released', '2018'],
    ['Director- Jean-Pierre Jeunet', 'Director', 'Jean-Pierre Jeunet'],
    ['Director - Jean-Pierre Jeunet', 'Director', 'Jean-Pierre Jeunet'],
    ['Co-director: Someone', 'Co-director', 'Someone'],
    ['Genre(s): Action', 'Genre(s)', 'Action'],
    ['TL;DR: Watch it.', 'TL;DR', 'Watch it.'],
    ['Studio：Pierrot', 'Studio', 'Pierrot'],
    ['Directed by Céline Sciamma', 'Directed by', 'Céline Sciamma'],
    ['Based on the light novel series by Reki Kawahara', 'Based on the light novel series by', 'Reki Kawahara'],
    ['Kaguya-sama: Love Is War', 'Kaguya-sama', 'Love Is War'],
  ])('%j → %j / %j', (line, label, value) => {
    expect(parseLabelLine(line)).toMatchObject({ label, value });
  });

  it.each([
    'Jean-Pierre Jeunet made this.',
    'So… while this series may seem pretty epic, it is filled with cliches.',
    'https://example.com/review',
    'Spider-Man into the Spider-Verse',
  ])('%j is not a label line', (line) => {
    expect(parseLabelLine(line)).toBeNull();
  });

  it('reads "<label> by" without a separator only for known labels', () => {
    expect(parseLabelLine('Written by Keiko Nobumoto')).toMatchObject({ key: 'written by', value: 'Keiko Nobumoto' });
    expect(parseLabelLine('Loved by everyone I know')).toBeNull();
  });
});

describe('normalizeLabel and lookupLabel', () => {
  it('normalizes case, emphasis, "(s)", spacing and trailing punctuation', () => {
    expect(normalizeLabel('Watch It On')).toBe('watch it on');
    expect(normalizeLabel('**Alternative  Title(s)**')).toBe('alternative title');
    expect(normalizeLabel('Where to watch?')).toBe('where to watch');
    expect(normalizeLabel('Based on the manga by')).toBe('based on by');
  });

  it('maps labels to fields, credits to roles', () => {
    expect(lookupLabel('series composition')).toEqual({ spec: { field: 'credit', role: 'writer' }, medium: null });
    expect(lookupLabel('score by')).toEqual({ spec: { field: 'credit', role: 'music' }, medium: null });
    expect(lookupLabel('score')).toEqual({ spec: { field: 'score' }, medium: null });
    expect(lookupLabel('character design')?.spec).toEqual({ field: 'credit', role: 'character_design' });
    expect(lookupLabel('pros')).toBeNull();
  });

  it('reads a medium in front of a known label', () => {
    expect(lookupLabel('anime year of release')).toEqual({ spec: { field: 'year' }, medium: 'anime' });
    expect(lookupLabel('film director')).toEqual({ spec: { field: 'credit', role: 'director' }, medium: 'film' });
    expect(lookupLabel('anime')).toEqual({ spec: { field: 'title', medium: 'anime' }, medium: 'anime' });
  });
});
