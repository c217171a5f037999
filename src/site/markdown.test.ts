import { expect, it } from 'vitest';
import { plainExcerpt, renderReviewBody, renderWithoutSpoilers } from './markdown.js';

it('hides an inline spoiler in the middle of a sentence behind a labelled checkbox', () => {
  const html = renderReviewBody('The ending: ||James *survives* everything.|| Then credits.');
  expect(html).toContain('<input type="checkbox" class="spoiler-toggle" id="spoiler-1"><label for="spoiler-1">spoiler, show</label>');
  expect(html).toContain('<span class="spoiler-text">James <em>survives</em> everything.</span>');
  expect(html).not.toContain('||');
});

it('keeps single pipes and unclosed markers as text', () => {
  expect(renderReviewBody('a | b and || open')).toBe('<p>a | b and || open</p>\n');
});

it('turns a spoiler block into details, with its label', () => {
  const html = renderReviewBody('::: spoiler The twist\nSarah was the mole.\n:::\n');
  expect(html).toContain('<details class="spoiler"><summary><span class="spoiler-label">Spoiler: The twist</span>');
  expect(html).toContain('<p>Sarah was the mole.</p>');
});

it('escapes raw HTML and refuses unsafe links; images become links', () => {
  const html = renderReviewBody('<img src=x onerror=alert(1)> [x](javascript:alert(1)) [y](data:text/html,hi) ![pic](https://img.example/a.png) [ok](https://example.org)');
  expect(html).not.toContain('<img');
  expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  expect(html).not.toMatch(/href="(javascript|data):/);
  expect(html).toContain('<a class="image-link" href="https://img.example/a.png" rel="nofollow ugc noopener">[image: pic]</a>');
  expect(html).toContain('<a href="https://example.org" rel="nofollow ugc noopener">ok</a>');
});

it('starts a review’s own headings below the page title', () => {
  expect(renderReviewBody('# Verdict')).toBe('<h2>Verdict</h2>\n');
});

it('replaces spoilers with a note for feeds', () => {
  const html = renderWithoutSpoilers('Good. ||He dies.||\n\n::: spoiler\nShe lives.\n:::\n', '<em>spoiler</em>');
  expect(html).not.toMatch(/dies|lives/);
  expect(html.match(/<em>spoiler<\/em>/g)).toHaveLength(2);
});

it('makes a plain, spoiler-free excerpt cut at a word', () => {
  expect(plainExcerpt('# Title\n\nSome **bold** words and [a link](https://x.y). ||Secret||')).toBe('Title Some bold words and a link. [spoiler]');
  expect(plainExcerpt('word '.repeat(100), 23)).toBe('word word word word…');
});

it('writes dates as readers expect and keeps JSON-LD from closing its script element', async () => {
  const { formatDate } = await import('./components.js');
  const { jsonForScript } = await import('./layout.js');
  expect(formatDate('2024-03-02T23:59:59.000Z')).toBe('2 March 2024');
  expect(formatDate('2026-12-31T00:00:00.000Z')).toBe('31 December 2026');
  const json = jsonForScript({ name: '</script><script>alert(1)</script>\u2028' });
  expect(json).not.toContain('<');
  expect(JSON.parse(json)).toEqual({ name: '</script><script>alert(1)</script>\u2028' });
});
