/**
 * Folding: the form in which names and titles are compared and searched.
 * NFKC first turns full-width and compatibility characters into their plain forms
 * (`ＡＢＣ` → `ABC`, `ﾊﾟ` → `パ`); NFD then splits accents off so they can be dropped
 * (`Ōkouchi` → `okouchi`). Case is folded with toLowerCase, which is locale-independent.
 */
// Only the combining diacritics of Latin, Greek and Cyrillic: kana voicing marks (゛゜) change
// the letter, not its accent, so `ば` and `は` stay apart.
const MARKS = /[\u0300-\u036f]+/g;
const NON_WORD = /[^\p{L}\p{N}]+/gu;
const NON_WORD_ASCII = /[^a-z0-9]+/g;

// Letters people type in place of symbols in titles: "Hunter x Hunter" for "Hunter × Hunter".
const LOOKALIKES = /[×✕]/g;

const ASCII = /^[\x00-\x7f]*$/;

export function fold(text: string): string {
  // Most text is plain ASCII, for which every step below but the lower-casing is a no-op.
  if (ASCII.test(text)) return text.toLowerCase();
  return text.replace(LOOKALIKES, 'x').normalize('NFKC').normalize('NFD').replace(MARKS, '').toLowerCase().normalize('NFC');
}

/** Folded words joined by single spaces: punctuation and symbols only separate words. */
export function foldWords(text: string): string {
  const folded = fold(text);
  return (ASCII.test(folded) ? folded.replace(NON_WORD_ASCII, ' ') : folded.replace(NON_WORD, ' ')).trim();
}

/**
 * The key under which a person, studio, platform, tag or author is one record:
 * "Hiroyasu  Aoki", "hiroyasu aoki" and "Hiroyasu Aoki" with a different Unicode form are the same.
 */
export function nameKey(name: string): string {
  return foldWords(name);
}

/** Trims and collapses runs of whitespace (including no-break spaces) to one space. */
export function cleanName(name: string): string {
  return name.normalize('NFC').replace(/\s+/gu, ' ').trim();
}
