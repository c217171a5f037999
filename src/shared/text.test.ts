import { describe, expect, it } from 'vitest';
import { makeSlug } from './slug.js';
import { fold, foldWords, nameKey } from './text.js';

describe('folding', () => {
  it('ignores case, accents and width', () => {
    expect(fold('Ichirō Ōkouchi')).toBe('ichiro okouchi');
    expect(fold('ＨＥＲＯ')).toBe('hero');
    expect(fold('Pokémon')).toBe('pokemon');
    expect(foldWords('Hero ≠ Mask')).toBe('hero mask');
  });

  it('keeps kana voicing marks, which change the letter', () => {
    expect(fold('ぼっち')).toBe('ぼっち');
    expect(fold('ﾎﾞｯﾁ')).toBe('ボッチ');
  });

  it('gives one key for the same name written differently', () => {
    const key = nameKey('Hiroyasu Aoki');
    for (const variant of ['hiroyasu aoki', '  Hiroyasu\u00a0 AOKI ', 'Hiroyasu  Aoki', 'Ｈｉｒｏｙａｓｕ Ａｏｋｉ']) expect(nameKey(variant)).toBe(key);
    expect(nameKey('Studio Pierrot')).not.toBe(nameKey('Pierrot'));
  });
});

describe('slugs', () => {
  it('keep meaningful symbols as words', () => {
    expect(makeSlug('Hero ≠ Mask')).toBe('hero-not-equal-mask');
    expect(makeSlug('Hero Mask')).toBe('hero-mask');
    expect(makeSlug('Fate/stay night: Unlimited Blade Works')).toBe('fate-stay-night-unlimited-blade-works');
    expect(makeSlug('Ōkami')).toBe('okami');
  });

  it('are never empty, even for titles in Japanese or Korean only', () => {
    for (const title of ['進撃の巨人', 'ぼっち・ざ・ろっく！', '귀멸의 칼날', '86―エイティシックス―']) {
      expect(makeSlug(title)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
    expect(makeSlug('!!!', 'work')).toBe('work');
  });

  it('stay a readable length', () => {
    expect(makeSlug('word '.repeat(60)).length).toBeLessThanOrEqual(80);
  });
});
