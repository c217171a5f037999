import { describe, expect, it } from 'vitest';
import { autop, htmlToMarkdown } from './blog.html.js';

const md = (html: string, wordpress = false) => htmlToMarkdown(html, { wordpress });

describe('info lines come out as plain "Label: Value" lines', () => {
  it('whatever the emphasis, link or separator around the label', () => {
    const html = [
      '<p><strong>Director:</strong> Hiroyasu Aoki</p>',
      '<p><b>Final Score:</b> 2.5 out of 5</p>',
      '<p><strong>Studio</strong>: <a href="https://pierrot.jp">Pierrot</a></p>',
      '<p><em>Watch It On</em> – Netflix</p>',
    ].join('');
    expect(md(html).markdown).toBe('Director: Hiroyasu Aoki\n\nFinal Score: 2.5 out of 5\n\nStudio: Pierrot\n\nWatch It On – Netflix');
  });

  it('from a list, without bullets, so they read as one info block', () => {
    const html = '<ul><li><strong>Studio</strong>: Pierrot</li><li><strong>Music:</strong> Hisaki Kato</li></ul>';
    expect(md(html).markdown).toBe('Studio: Pierrot\nMusic: Hisaki Kato');
  });

  it('from a paragraph of lines separated by <br>', () => {
    expect(md('<p><b>Studio:</b> Madhouse<br><b>Score:</b> 9/10</p>').markdown).toBe('Studio: Madhouse\nScore: 9/10');
    expect(md('<p><!-- info --><b>Studio:</b> Madhouse<br />\n<b>Score:</b> 9/10</p>').markdown).toBe('Studio: Madhouse\nScore: 9/10');
  });

  it('but a paragraph with a line that is not an info line stays Markdown', () => {
    expect(md('<p><strong>Director:</strong> Hiroyasu Aoki<br>I liked <em>some</em> of it.</p>').markdown).toBe(
      '**Director:** Hiroyasu Aoki  \nI liked _some_ of it.',
    );
    expect(md('<p><strong>Note:</strong> I watched the dub.</p>').markdown).toBe('**Note:** I watched the dub.');
  });

  it('and a line holding a spoiler keeps its markup', () => {
    expect(md('<p>Verdict: <span class="spoiler">he dies</span>, sadly.</p>').markdown).toBe('Verdict: ||he dies||, sadly.');
  });
});

describe('the rest of the post', () => {
  it('keeps headings, paragraphs, lists and emphasis as Markdown', () => {
    const html = '<h2>The good</h2><p>It is <strong>loud</strong> and <i>fast</i>.</p><ol><li>Fights</li><li>Music</li></ol>';
    expect(md(html).markdown).toBe('## The good\n\nIt is **loud** and _fast_.\n\n1.  Fights\n2.  Music');
  });

  it('drops images with a warning naming each, and the link around a thumbnail', () => {
    const html =
      '<p>Look:</p><p><a href="https://b.example/full.jpg"><img src="https://b.example/thumb.jpg" alt="Blood, aiming"></a></p><p><img src="data:image/png;base64,AAAA"></p>';
    expect(md(html)).toEqual({
      markdown: 'Look:',
      warnings: ['dropped the image https://b.example/thumb.jpg ("Blood, aiming")', 'dropped the image (embedded in the page)'],
    });
  });

  it('drops scripts, styles and forms silently, and embeds with a warning', () => {
    const html =
      '<p>Text.</p><script>alert("x")</script><style>p{}</style><noscript>Enable JS</noscript><form><input value="q"></form><iframe src="https://player.example/v/1"></iframe><video src="https://b.example/clip.mp4"></video>';
    expect(md(html)).toEqual({
      markdown: 'Text.',
      warnings: ['dropped the embedded frame https://player.example/v/1', 'dropped the embedded video https://b.example/clip.mp4'],
    });
  });

  it('turns spoiler markup into the canonical forms', () => {
    expect(md('<details><summary>Spoiler</summary><p>He dies.</p></details>').markdown).toBe('::: spoiler\nHe dies.\n:::');
    expect(md('<details><summary>Episode 12</summary><p>He dies.</p></details>').markdown).toBe('::: spoiler Episode 12\nHe dies.\n:::');
    expect(md('<div class="su-spoiler"><p>He dies.</p></div>').markdown).toBe('::: spoiler\nHe dies.\n:::');
    expect(md('<p>And then <span class="spoiler">he dies</span>.</p>').markdown).toBe('And then ||he dies||.');
  });

  it('leaves spoiler markup copied from other sites for the review parser to read', () => {
    expect(md('<p>[spoiler]He dies.[/spoiler] and &gt;!she lives!&lt;</p><p>&gt;!a whole line</p>').markdown).toBe(
      '[spoiler]He dies.[/spoiler] and >!she lives!<\n\n>!a whole line',
    );
  });
});

describe('WordPress post content', () => {
  it('makes paragraphs of blank-line-separated text, as WordPress does when it shows a post', () => {
    const html = 'First paragraph,\nsame paragraph.\n\n<strong>Director:</strong> Hiroyasu Aoki\n<strong>Studio:</strong> Pierrot\n\nLast one.';
    expect(md(html, true).markdown).toBe('First paragraph,  \nsame paragraph.\n\nDirector: Hiroyasu Aoki\nStudio: Pierrot\n\nLast one.');
    // A feed's HTML is already rendered: its line breaks are only whitespace.
    expect(md('One\n\ntwo', false).markdown).toBe('One two');
  });

  it('leaves block-editor markup and preformatted text alone', () => {
    const blocks = '<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n<pre>a\n\nb</pre>';
    expect(autop(blocks)).toBe(blocks);
  });

  it('drops captions and media shortcodes with a warning, and rewrites spoiler shortcodes', () => {
    const html =
      '[caption id="attachment_4" width="300"]<img src="https://b.example/a.jpg" alt="A"> The caption[/caption]\n\nText [gallery ids="1,2,3"]\n\n[su_spoiler title="Ending"]He dies.[/su_spoiler] [spoiler title="Spoiler"]She lives.[/spoiler]';
    expect(md(html, true)).toEqual({
      markdown: 'Text\n\n[spoiler="Ending"]He dies.[/spoiler] [spoiler]She lives.[/spoiler]',
      warnings: [
        'dropped the [gallery] shortcode (media WordPress inserts when the post is shown)',
        'dropped the image https://b.example/a.jpg ("A")',
      ],
    });
  });
});
