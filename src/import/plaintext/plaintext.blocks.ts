/**
 * Paragraph-level view of a text: blocks separated by blank lines, with the quirks of text pasted
 * from blogs and editors smoothed out (a paragraph split in the middle of a sentence).
 */

export interface Block {
  lines: string[];
  /** 1-based line number of the first line, for messages. */
  line: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/u;

/**
 * Splits text into blocks at blank lines. A fenced code block stays one block even when it holds
 * blank lines, so code is never torn apart or glued to prose.
 */
export function splitBlocks(text: string, firstLine: number): Block[] {
  const blocks: Block[] = [];
  let current: Block | null = null;
  let fence: string | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const marker = FENCE.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) fence = fence === null ? marker : null;
    if (fence === null && line.trim() === '') {
      current = null;
      continue;
    }
    if (!current) {
      current = { lines: [], line: firstLine + i };
      blocks.push(current);
    }
    current.lines.push(line);
  }
  return blocks;
}

/** A paragraph of running text, as opposed to a heading, list, quote, table, code or markup block. */
const PROSE_START = /^[\p{L}\p{N}"“‘'(¡¿]/u;
const LIST_ITEM = /^\d+[.)]\s/u;
/** Ends on a letter, digit, comma or semicolon: the sentence is not finished. */
const ENDS_MID_SENTENCE = /[\p{L}\p{N},;]$/u;
/** Enough of the end to hold any one character, surrogate pairs included. */
const LAST_CHARACTER = -2;
/** A short line without punctuation is more likely a plain-text heading ("The Story") than half a sentence. */
const MIN_WORDS_TO_JOIN = 8;

export function isProse(paragraph: string): boolean {
  return PROSE_START.test(paragraph) && !LIST_ITEM.test(paragraph);
}

/** Whether `text` has at least `count` words; stops counting there. */
function hasWords(text: string, count: number): boolean {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = text.charCodeAt(i) <= 32;
    if (!space && !inWord && ++words >= count) return true;
    inWord = !space;
  }
  return false;
}

/**
 * True when `paragraph` stops mid-sentence and `next` carries on: "…more distracting than" followed
 * by "Enjoyable. Additionally…" is one paragraph that an editor split with a stray blank line.
 */
export function continuesInto(paragraph: string, next: string): boolean {
  return (
    isProse(paragraph) &&
    isProse(next) &&
    // Only the end is tested: a `$`-anchored regex would still scan the whole paragraph from the start.
    ENDS_MID_SENTENCE.test(paragraph.slice(LAST_CHARACTER)) &&
    hasWords(paragraph, MIN_WORDS_TO_JOIN)
  );
}

const RULE = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/u;

/** `---`, `***` or `___` on its own: a separator, e.g. between the review and its info block. */
export function isRule(paragraph: string): boolean {
  return RULE.test(paragraph);
}
