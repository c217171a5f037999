import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import type { SourceEntry, SourceItem } from '../import.types.js';
import { parseBlog, type BlogOptions } from './blog.parse.js';

function bytes(name: string): Buffer {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
}

/** The file as a stream of `size`-byte chunks, so fields, references and characters are cut across chunks. */
function stream(data: Buffer | string, size = 64 * 1024): Readable {
  const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const chunks: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) chunks.push(buffer.subarray(i, i + size));
  return Readable.from(chunks);
}

async function collect(input: Readable, source: string, options?: BlogOptions): Promise<SourceEntry[]> {
  const entries: SourceEntry[] = [];
  for await (const entry of parseBlog(input, source, options)) entries.push(entry);
  return entries;
}

const parse = (name: string, options?: BlogOptions) => collect(stream(bytes(name)), name, options);

async function failure(run: Promise<unknown>): Promise<AppError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

function item(entries: SourceEntry[], refStart: string): SourceItem {
  const entry = entries.find((e) => e.ref.startsWith(refStart));
  if (!entry || !('item' in entry)) throw new Error(`no item ${refStart}: ${JSON.stringify(entry ?? entries.map((e) => e.ref))}`);
  return entry.item;
}

describe('a WordPress export (WXR)', async () => {
  const entries = await parse('wordpress-export.xml');

  it('yields every item in order: posts as items, the rest skipped or refused with the reason', () => {
    expect(entries.map((e) => [e.ref, 'item' in e ? 'item' : 'skip' in e ? `skip: ${e.skip}` : `error: ${e.error}`])).toEqual([
      ['post "Hero ≠ Mask" (https://latenight.example/2019/03/04/hero-mask/)', 'item'],
      ['post "Mob Psycho 100: the warmest thing I watched all year" (https://latenight.example/2019/03/20/mob-psycho-100/)', 'item'],
      ['post "Ex-Arm" (https://latenight.example/?p=60)', 'item'],
      ['post "Barakamon" (https://latenight.example/2019/05/02/barakamon/)', 'item'],
      [
        'post "We are moving to a new host" (https://latenight.example/2019/04/01/moving/)',
        'error: not read as a review: no score and nothing about a work (no "Director:", "Studio:" or "Final Score:" lines, no score in the last paragraph)',
      ],
      ['post "About" (https://latenight.example/about/)', 'skip: a page, not a post'],
      ['post "hero-mask-blood" (https://latenight.example/2019/03/04/hero-mask/hero-mask-blood/)', 'skip: an attachment (a file in the media library), not a post'],
      ['post "Home" (https://latenight.example/2019/01/01/home/)', 'skip: a menu item, not a post'],
      ['post "Old draft" (https://latenight.example/?p=95)', 'skip: in the WordPress trash'],
    ]);
  });

  describe('a classic-editor post like the example review', () => {
    const hero = item(entries, 'post "Hero ≠ Mask"');

    it('reads the info lines written in <strong>, and the categories and tags as tags', () => {
      expect(hero.work).toEqual({
        title: 'Hero ≠ Mask',
        altTitles: [],
        kind: 'anime_series',
        year: 2018,
        synopsis: null,
        credits: [
          { role: 'director', name: 'Hiroyasu Aoki' },
          { role: 'writer', name: 'Hiroyasu Aoki' },
          { role: 'music', name: 'Hisaki Kato' },
        ],
        studios: ['Pierrot'],
        platforms: ['Netflix'],
        tags: ['Anime Reviews', 'Netflix', 'Thriller'],
        externalIds: {},
      });
    });

    it('reads the Final Score line, keeps the paragraphs, and hides the passage after the spoiler warning', () => {
      const { review } = hero;
      expect(review).toMatchObject({
        headline: 'Hero ≠ Mask',
        score: { value: 2.5, max: 5 },
        scoreText: '2.5 out of 5',
        rating: 50,
        hasSpoilers: true,
        status: 'published',
        publishedAt: '2019-03-04T10:20:00Z',
      });
      const paragraphs = review?.body.split('\n\n') ?? [];
      expect(paragraphs).toHaveLength(3);
      expect(paragraphs[0]).toMatch(/^Technology is cool, .* give the Netflix original _Hero ≠ Mask_ a shot\. .* trigger happy\.$/u);
      expect(paragraphs[1]).toBe(
        'So while this series may seem pretty epic, it is filled with Hollywood cliches. (Be warned, spoilers in the next few sentences) ||The mother figure who dies in the first episode was poisoned by the SSC itself, and the man behind it is the one James trusted most.||',
      );
      expect(paragraphs[2]).toMatch(/^I gave \*\*Hero ≠ Mask\*\* a 2\.5 out of 5 because/u);
      expect(review?.body).not.toMatch(/Director|Final Score|caption|James Blood, loose cannon|img/u);
    });

    it('drops the image and names it; keeps the address, the author\'s display name, and not the comments', () => {
      expect(hero.warnings).toContain('dropped the image https://latenight.example/wp-content/uploads/2019/03/hero-mask-blood.jpg ("James Blood aiming")');
      expect(hero.sourceUrl).toBe('https://latenight.example/2019/03/04/hero-mask/');
      expect(hero.author).toBe('Kenji Mori');
      expect(hero.work.credits.some((c) => c.name === 'Someone Else')).toBe(false);
      expect(hero.warnings.some((w) => /^line \d/u.test(w))).toBe(false);
    });
  });

  describe('a block-editor post', () => {
    const mob = item(entries, 'post "Mob Psycho 100');

    it('takes the work from the "Title" info line and keeps the post title as the headline', () => {
      expect(mob.work).toMatchObject({
        title: 'Mob Psycho 100',
        kind: 'anime_series',
        studios: ['Bones'],
        credits: [{ role: 'director', name: 'Yuzuru Tachikawa' }],
        tags: ['Action', 'Comedy', 'Anime Reviews'],
      });
      expect(mob.review?.headline).toBe('Mob Psycho 100: the warmest thing I watched all year');
      expect(mob.author).toBe('Ayu Tanaka');
    });

    it('reads a score written wholly in bold, turns <details> into a spoiler block, and drops figures, embeds and scripts', () => {
      expect(mob.review?.score).toEqual({ value: 4.5, max: 5 });
      expect(mob.review?.hasSpoilers).toBe(true);
      expect(mob.review?.body).toBe(
        [
          'Shigeo Kageyama, or Mob, is a quiet middle schooler with psychic powers strong enough to flatten a building, and he would rather join the body improvement club than use them.',
          'The animation is where the show flexes: paint-like smears, colour shifts and frames that look drawn on paper.',
          "::: spoiler Spoilers for the final arc\nMob's last fight is not won with his powers at all: he walks away from it.\n:::",
        ].join('\n\n'),
      );
      expect(mob.warnings).toEqual([
        'dropped the image https://latenight.example/wp-content/uploads/2019/03/mob-100-percent.png',
        'dropped the embedded frame https://www.youtube.com/embed/Bw-5Lka7gPE',
      ]);
    });
  });

  it('imports a draft as a draft, dated by its last save, without the "Uncategorized" category', () => {
    const draft = item(entries, 'post "Ex-Arm"');
    expect(draft.review).toMatchObject({ status: 'draft', publishedAt: '2021-02-01', score: { value: 1, max: 5 } });
    expect(draft.work.tags).toEqual([]);
  });

  it('imports a private post as a draft and says so; an author missing from the export keeps the login', () => {
    const barakamon = item(entries, 'post "Barakamon"');
    expect(barakamon.review?.status).toBe('draft');
    expect(barakamon.warnings).toContain('private on WordPress: imported as a draft');
    expect(barakamon.author).toBe('someone-gone');
    expect(barakamon.review?.score).toEqual({ value: 4, max: 5 });
  });

  it('reads an export with blank lines before the XML declaration (stray output of a plugin)', async () => {
    const padded = await collect(stream(Buffer.concat([Buffer.from('\n\n'), bytes('wordpress-export.xml')]), 1), 'wordpress-export.xml');
    expect(padded).toEqual(entries);
    const broken = `\n\n${bytes('malformed.xml').toString('utf8')}`;
    expect((await failure(collect(stream(broken), 'malformed.xml'))).message).toMatch(/at line 12, column 18: a bare "&"/u);
  });

  it('reads the same when the file arrives in small pieces', async () => {
    const pieces = await collect(stream(bytes('wordpress-export.xml'), 7), 'wordpress-export.xml');
    expect(pieces).toEqual(entries);
  });
});

describe('an RSS 2.0 feed', async () => {
  const entries = await parse('feed.rss');

  it('reads content:encoded, the link, the date, dc:creator and the categories', () => {
    const sora = item(entries, 'post "Review: Sora yori mo Tooi Basho (2018)"');
    expect(sora.work).toMatchObject({
      title: 'Sora yori mo Tooi Basho',
      year: 2018,
      studios: ['Madhouse'],
      credits: [{ role: 'director', name: 'Atsuko Ishizuka' }],
      tags: ['Anime', 'Adventure'],
    });
    expect(sora.review).toMatchObject({
      headline: 'Review: Sora yori mo Tooi Basho (2018)',
      score: { value: 9, max: 10 },
      publishedAt: '2019-04-14T14:30:00Z',
      status: 'published',
    });
    expect(sora.review?.body).toContain('### What works\n\n-   The friendships feel _earned_.');
    expect(sora.sourceUrl).toBe('https://framebyframe.example/reviews/sora-yori-mo-tooi-basho');
    expect(sora.author).toBe('Mina Park');
  });

  it('keeps a spoiler marked in the HTML hidden, wherever the review parser puts the line', () => {
    const sora = item(entries, 'post "Review: Sora yori mo Tooi Basho (2018)"');
    expect(sora.review?.hasSpoilers).toBe(true);
    const text = `${sora.review?.summary ?? ''}\n${sora.review?.body ?? ''}`;
    expect(text).toContain("||Shirase finally opens her mother's laptop||");
  });

  it('falls back to the description, decodes a doubly escaped title, reads "email (Name)" authors, and warns about excerpts', () => {
    const second = item(entries, 'post "Hero ≠ Mask, part two"');
    expect(second.author).toBe('Joe Critic');
    expect(second.review?.score).toEqual({ value: 3, max: 5 });
    expect(second.warnings[0]).toBe("the feed holds only an excerpt of this post; import the blog's full export (or a full-text feed) for the whole review");
  });

  it('refuses a post that is not a review', () => {
    expect(entries.at(-1)).toEqual({
      ref: 'post "Our favourite openings of 2019" (https://framebyframe.example/lists/openings-2019)',
      error: expect.stringMatching(/^not read as a review: no score and nothing about a work/u),
    });
  });
});

describe('an Atom feed', async () => {
  const entries = await parse('feed.atom');

  it('reads HTML content, the alternate link, the published date, the feed\'s author and category labels or terms', () => {
    const mushishi = item(entries, 'post "Mushishi — Review"');
    expect(mushishi.work).toMatchObject({ title: 'Mushishi', studios: ['Artland'], tags: ['Anime', 'iyashikei'] });
    expect(mushishi.review).toMatchObject({ score: { value: 4.5, max: 5 }, scoreText: '★★★★½', publishedAt: '2019-05-31T23:15:00Z' });
    expect(mushishi.sourceUrl).toBe('https://quiet.example/2019/06/mushishi.html');
    expect(mushishi.author).toBe('Rin Aoyama');
  });

  it('reads XHTML content, the entry\'s own author, and a draft flag', () => {
    const pingPong = item(entries, 'post "Ping Pong the Animation"');
    expect(pingPong.work.credits).toEqual([{ role: 'director', name: 'Masaaki Yuasa' }]);
    expect(pingPong.work.studios).toEqual(['Tatsunoko Production']);
    expect(pingPong.review).toMatchObject({
      status: 'draft',
      score: { value: 5, max: 5 },
      body: "Masaaki Yuasa's drawings look rough until they move, and then nothing else looks right.",
      publishedAt: '2019-05-20T12:00:00Z',
    });
    expect(pingPong.author).toBe('Sora Ito');
  });

  it('reads plain-text content as written, without repeating the title', () => {
    const tatami = item(entries, 'post "Tatami Galaxy"');
    expect(tatami.review).toMatchObject({ body: 'Every episode restarts the same two years of university.', score: { value: 8, max: 10 } });
    expect(tatami.work.studios).toEqual(['Madhouse']);
  });
});

describe('files that are refused', () => {
  it('refuses a DOCTYPE declaring entities (billion laughs) before expanding anything', async () => {
    const error = await failure(parse('billion-laughs.xml'));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/^billion-laughs\.xml: the DOCTYPE declares entities/u);
  });

  it('refuses an external entity, so no other file is read', async () => {
    const error = await failure(parse('external-entity.xml'));
    expect(error.message).toMatch(/^external-entity\.xml: the DOCTYPE declares entities/u);
  });

  it('names the line and column of malformed XML, after the posts before it', async () => {
    const entries: SourceEntry[] = [];
    const error = await failure(
      (async () => {
        for await (const entry of parseBlog(stream(bytes('malformed.xml'), 16), 'malformed.xml')) entries.push(entry);
      })(),
    );
    expect(error.message).toBe(
      'malformed.xml: not well-formed XML at line 10, column 18: a bare "&" ("& unescaped</title>…"); it must be written &amp; (or the text put in a CDATA section)',
    );
    expect(entries.map((e) => e.ref)).toEqual(['post "Fine"']);
  });

  it('accepts "&" where XML allows it (CDATA, comments) and references cut across chunks', async () => {
    const xml =
      '<?xml version="1.0"?>\n<!-- Q&A -->\n<rss version="2.0"><channel><title>Q &amp; A</title>\n' +
      '<item><title>Tom &#38; Jerry &#x2260; AT&amp;T</title><description><![CDATA[<p>Studio: A&B <b>Final Score:</b> 3/5</p>]]></description></item>' +
      '\n</channel></rss>';
    for (const size of [1, 3, 5, 64]) {
      const entries = await collect(stream(xml, size), 'feed.xml');
      expect(entries.map((e) => e.ref)).toEqual(['post "Tom & Jerry ≠ AT&T"']);
    }
  });

  it('names the line of a mismatched tag', async () => {
    const error = await failure(collect(stream('<rss version="2.0"><channel>\n<item><title>x</titel></item>\n</channel></rss>'), 'feed.xml'));
    expect(error.message).toMatch(/^feed\.xml: not well-formed XML at line 2, column \d+: /u);
  });

  it('refuses text that is not XML, and XML that is not a feed', async () => {
    const text = await failure(parse('not-a-feed.txt'));
    expect(text.code).toBe('unsupported_format');
    expect(text.message).toBe(
      'not-a-feed.txt: not XML (it starts with "Hero ≠ Mask"); expected a WordPress export (WXR), an RSS 2.0 feed or an Atom feed',
    );
    const html = await failure(parse('page.html'));
    expect(html.message).toBe('page.html: the root element is <html>; expected a WordPress export (WXR), an RSS 2.0 feed or an Atom feed');
    expect((await failure(collect(stream(''), 'empty.xml'))).message).toBe('empty.xml: the file is empty');
    expect((await failure(collect(stream(Buffer.from([0x3c, 0x72, 0xff, 0xfe])), 'latin.xml'))).message).toMatch(/not UTF-8 text/u);
  });

  it('refuses a file over the size limit, and a post over the field limit', async () => {
    const big = await failure(parse('wordpress-export.xml', { limits: { maxBytes: 4096 } }));
    expect(big.message).toBe('wordpress-export.xml: the file is larger than 4 KB, the most an import reads; refused');
    const entries = await parse('feed.atom', { limits: { maxFieldChars: 200 } });
    expect(entries[0]).toEqual({
      ref: 'post "Mushishi — Review" (https://quiet.example/2019/06/mushishi.html)',
      error: 'the post is too large: its atom:content is over 200 characters; not read',
    });
    expect(entries).toHaveLength(3);
  });

  it('says so when a feed has no posts', async () => {
    const error = await failure(collect(stream('<rss version="2.0"><channel><title>Empty</title></channel></rss>'), 'feed.xml'));
    expect(error.message).toBe('feed.xml: the feed has no posts');
  });
});

describe('posts the review parser cannot read', () => {
  const feed = (items: string) => `<rss version="2.0"><channel><title>t</title>${items}</channel></rss>`;

  it('reports an empty post and a post without a title line, naming the post', async () => {
    const entries = await collect(
      stream(
        feed(
          '<item><title>Empty</title><link>https://b.example/empty</link><description></description></item>' +
            '<item><link>https://b.example/untitled</link><description>&lt;p&gt;I watched this last night and it was better than I hoped, with a great ending.&lt;/p&gt;</description></item>',
        ),
      ),
      'feed.xml',
    );
    expect(entries).toEqual([
      { ref: 'post "Empty" (https://b.example/empty)', error: 'the post has no text' },
      { ref: 'post 2 (https://b.example/untitled)', error: expect.stringMatching(/^not read as a review: no recognisable title/u) },
    ]);
  });

  it('shortens long titles in the reference', async () => {
    const title = `Hero ≠ Mask: ${'a very long subtitle '.repeat(5)}`;
    const [entry] = await collect(stream(feed(`<item><title>${title}</title><link>https://b.example/long</link></item>`)), 'feed.xml');
    expect(entry?.ref).toBe('post "Hero ≠ Mask: a very long subtitle a very long subtitle a ve…" (https://b.example/long)');
  });
});

describe('other shapes of feed', () => {
  it('imports a password-protected WordPress post as a draft', async () => {
    const xml = `<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
      <channel><item><title>Shirobako</title><link>https://b.example/shirobako</link>
      <content:encoded><![CDATA[Making anime is hard.\n\n<strong>Studio:</strong> P.A. Works]]></content:encoded>
      <wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_password>secret</wp:post_password>
      </item></channel></rss>`;
    const [entry] = await collect(stream(xml), 'export.xml');
    const shirobako = entry && 'item' in entry ? entry.item : null;
    expect(shirobako?.review?.status).toBe('draft');
    expect(shirobako?.warnings).toContain('password-protected on WordPress: imported as a draft, so it is not shown to everyone');
  });

  it('reads an RSS 1.0 (RDF) feed', async () => {
    const xml = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="https://b.example/"><title>Old blog</title></channel>
      <item rdf:about="https://b.example/haibane"><title>Haibane Renmei</title><link>https://b.example/haibane</link>
      <description>&lt;p&gt;Quiet and sad.&lt;/p&gt;&lt;p&gt;Score: 9/10&lt;/p&gt;</description>
      <dc:creator>Old Me</dc:creator><dc:date>2004-05-06T07:08:09Z</dc:date><dc:subject>Drama</dc:subject></item>
    </rdf:RDF>`;
    const [entry] = await collect(stream(xml), 'index.rdf');
    expect(entry).toMatchObject({
      ref: 'post "Haibane Renmei" (https://b.example/haibane)',
      item: { author: 'Old Me', work: { title: 'Haibane Renmei', tags: ['Drama'] }, review: { score: { value: 9, max: 10 }, publishedAt: '2004-05-06T07:08:09Z' } },
    });
  });

  it('skips the comments, pages and settings of a Blogger export', async () => {
    const kind = (k: string) => `<category scheme="http://schemas.google.com/g/2005#kind" term="http://schemas.google.com/blogger/2008/kind#${k}"/>`;
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom">
      <entry><id>1</id><title>settings</title>${kind('settings')}<content type="text">x</content></entry>
      <entry><id>2</id><title>Aria the Animation</title>${kind('post')}<link rel="alternate" type="text/html" href="https://b.example/aria"/>
        <content type="html">&lt;p&gt;Nothing happens, beautifully.&lt;/p&gt;&lt;p&gt;Rating: 4/5&lt;/p&gt;</content></entry>
      <entry><id>3</id><title>Great review!</title>${kind('comment')}<content type="html">Thanks</content></entry>
    </feed>`;
    const entries = await collect(stream(xml), 'blog.xml');
    expect(entries.map((e) => [e.ref, 'skip' in e ? e.skip : 'item' in e ? e.item.review?.score : e.error])).toEqual([
      ['post "settings"', "the blog's settings, not a post"],
      ['post "Aria the Animation" (https://b.example/aria)', { value: 4, max: 5 }],
      ['post "Great review!"', 'a comment, not a post'],
    ]);
  });
});
