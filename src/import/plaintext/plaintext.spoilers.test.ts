import { describe, it, expect } from 'vitest';
import { markSpoilers } from './plaintext.spoilers.js';

describe('spoiler markup', () => {
  it('keeps canonical ||…|| and counts it', () => {
    expect(markSpoilers(['He was ||the killer|| all along.'])).toEqual({
      body: 'He was ||the killer|| all along.',
      hasSpoilers: true,
      warnings: [],
    });
  });

  it('rewrites Reddit, AniList and MAL markup to ||…||', () => {
    const { body } = markSpoilers(['A >!b!< c ~!d!~ e [spoiler]f[/spoiler] g [SPOILER]h[/SPOILER].']);
    expect(body).toBe('A ||b|| c ||d|| e ||f|| g ||h||.');
  });

  it('turns markup spanning paragraphs into a block, keeping the text around it', () => {
    const { body } = markSpoilers(['Before. ~!First', 'Second!~ After.', 'Last.']);
    expect(body).toBe('Before.\n\n::: spoiler\nFirst\n\nSecond\n:::\n\nAfter.\n\nLast.');
  });

  it('keeps the label of a [spoiler="…"] block and drops it, with a warning, inside a sentence', () => {
    expect(markSpoilers(['[spoiler=Ending]She lives.[/spoiler]']).body).toBe('::: spoiler Ending\nShe lives.\n:::');
    const inline = markSpoilers(['So [spoiler="Ending"]she lives[/spoiler], yes.']);
    expect(inline.body).toBe('So ||she lives||, yes.');
    expect(inline.warnings).toEqual(['dropped the spoiler label "Ending": a spoiler inside a sentence has no label']);
  });

  it('turns a Stack Exchange >! paragraph into a block', () => {
    expect(markSpoilers(['>! She lives.\n>! He does not.']).body).toBe('::: spoiler\nShe lives.\nHe does not.\n:::');
  });

  it('leaves stray delimiters and empty pairs alone', () => {
    expect(markSpoilers(['a || b and c >! d']).body).toBe('a || b and c >! d');
    expect(markSpoilers(['a |||| b']).hasSpoilers).toBe(false);
  });

  it('does not wrap again after a prose warning when markup is there', () => {
    const { body } = markSpoilers(['Spoilers ahead: ||she lives||.', 'More text.']);
    expect(body).toBe('Spoilers ahead: ||she lives||.\n\nMore text.');
  });
});

describe('prose spoiler warnings', () => {
  it('hides the rest of the paragraph after a parenthesised warning', () => {
    const { body, hasSpoilers, warnings } = markSpoilers(['It is fine. (Be warned, spoilers next) He dies. She lives.', 'Next.']);
    expect(body).toBe('It is fine. (Be warned, spoilers next) ||He dies. She lives.||\n\nNext.');
    expect(hasSpoilers).toBe(true);
    expect(warnings).toEqual(['marked the text after the spoiler warning "(Be warned, spoilers next)" as a spoiler']);
  });

  it('hides the next paragraph when the warning ends its own', () => {
    expect(markSpoilers(['Warning: spoilers!', 'He dies.', 'Next.']).body).toBe('Warning: spoilers!\n\n||He dies.||\n\nNext.');
  });

  it('hides the rest of the review after "(spoilers below)", up to the end marker', () => {
    const { body } = markSpoilers(['Good show (spoilers below)', 'He dies.', 'She lives.', 'Spoilers over. Watch it.']);
    expect(body).toBe('Good show (spoilers below)\n\n::: spoiler\nHe dies.\n\nShe lives.\n:::\n\nSpoilers over. Watch it.');
  });

  it('keeps a one-paragraph passage inline and the end marker in its paragraph', () => {
    expect(markSpoilers(['Spoilers ahead. He dies. /spoilers Watch it.']).body).toBe('Spoilers ahead. ||He dies.|| /spoilers Watch it.');
    expect(markSpoilers(['Intro.', 'SPOILERS AHEAD! He dies.']).body).toBe('Intro.\n\nSPOILERS AHEAD! ||He dies.||');
  });

  it('hides what follows the colon of "Spoiler alert: …" when that is the spoiler itself', () => {
    expect(markSpoilers(['Spoiler alert: the dog dies. Sorry.']).body).toBe('Spoiler alert: ||the dog dies. Sorry.||');
    expect(markSpoilers(['SPOILER ALERT: from here on I discuss the end.', 'He dies.']).body).toBe(
      'SPOILER ALERT: from here on I discuss the end.\n\n||He dies.||',
    );
  });

  it('reads "Spoilers:" as a label for what follows it', () => {
    expect(markSpoilers(['Spoilers: Episode 5 reveals the twin.', 'Next.']).body).toBe('Spoilers: ||Episode 5 reveals the twin.||\n\nNext.');
  });

  it('hides a "## Spoilers" section up to the next heading', () => {
    const { body } = markSpoilers(['## Spoilers', 'He dies.', 'She lives.', '## Verdict', 'Watch it.']);
    expect(body).toBe('## Spoilers\n\n::: spoiler\nHe dies.\n\nShe lives.\n:::\n\n## Verdict\n\nWatch it.');
  });

  it.each([
    'This review is spoiler-free.',
    'No spoilers here, promise.',
    "I won't spoil the ending.",
    'I hate spoilers, so I will stay vague.',
  ])('is not fooled by %j', (sentence) => {
    const result = markSpoilers([`${sentence} The ending is great.`]);
    expect(result.hasSpoilers).toBe(false);
    expect(result.body).toBe(`${sentence} The ending is great.`);
  });

  it('flags a warning with nothing after it', () => {
    const { body, hasSpoilers, warnings } = markSpoilers(['Great show. Spoilers ahead!']);
    expect(body).toBe('Great show. Spoilers ahead!');
    expect(hasSpoilers).toBe(true);
    expect(warnings).toEqual(['the spoiler warning "Spoilers ahead!" has nothing after it to hide']);
  });
});
