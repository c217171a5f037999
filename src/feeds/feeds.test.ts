import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect, it } from 'vitest';
import type { Db } from '../db/connection.js';
import { importParsedItem } from '../import/import.service.js';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import { PUBLIC_URL, seedCatalog, startSite } from '../../test/site.js';
import { escapeXml, escapeXmlAttribute, stripIllegalXml } from './feeds.xml.js';
import { naughtyStrings } from '../../test/naughty.js';

type Json = Record<string, any>;

const FORMATS = ['atom', 'json', 'rss'] as const;
const CONTENT_TYPES = {
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
};
const SPOILERS = ['James survives', 'Sarah was the mole'];
const NOTE = 'read on the site';
// XMLValidator does not look at characters, so the ones XML 1.0 forbids are checked here.
const ILLEGAL_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true,
  isArray: (name, path) => ['entry', 'item', 'category', 'author'].includes(name) || (name === 'link' && String(path).startsWith('feed')),
});

/** The document, checked well-formed, parsed; or the JSON Feed, parsed. */
function parseFeed(format: (typeof FORMATS)[number], body: string): Json {
  if (format === 'json') return JSON.parse(body) as Json;
  expect(XMLValidator.validate(body)).toBe(true);
  expect(body).not.toMatch(ILLEGAL_XML);
  return xml.parse(body) as Json;
}

const text = (node: unknown): string => (typeof node === 'string' ? node : String((node as Json)?.['#text'] ?? ''));

/** The entries of any format, reduced to what the tests compare. */
function entries(format: (typeof FORMATS)[number], feed: Json): { id: string; title: string; author: string; content: string }[] {
  if (format === 'json') return feed.items.map((i: Json) => ({ id: i.id, title: i.title, author: i.authors[0].name, content: i.content_html }));
  if (format === 'atom') return (feed.feed.entry ?? []).map((e: Json) => ({ id: text(e.id), title: text(e.title), author: text(e.author[0].name), content: text(e.content) }));
  return (feed.rss.channel.item ?? []).map((i: Json) => ({ id: text(i.guid), title: text(i.title), author: text(i['dc:creator']), content: text(i.description) }));
}

function assertAtom(feed: Json) {
  const f = feed.feed;
  expect(f['@xmlns']).toBe('http://www.w3.org/2005/Atom');
  for (const key of ['id', 'title', 'updated']) expect(text(f[key])).not.toBe('');
  expect(text(f.updated)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  expect(text(f.author[0].name)).toBe('Test Reviews');
  const self = f.link.find((l: Json) => l['@rel'] === 'self');
  expect(self['@href']).toBe(text(f.id));
  expect(f.link.some((l: Json) => l['@rel'] === 'alternate')).toBe(true);
  for (const e of f.entry ?? []) {
    for (const key of ['id', 'title', 'updated', 'published']) expect(text(e[key])).not.toBe('');
    expect(text(e.updated)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(text(e.author[0].name)).not.toBe('');
    expect(e.link.find((l: Json) => l['@rel'] === 'alternate')['@href']).toBe(text(e.id));
    expect(e.content['@type']).toBe('html');
    expect(e.summary).toBeDefined();
  }
}

function assertRss(feed: Json) {
  expect(feed.rss['@version']).toBe('2.0');
  const c = feed.rss.channel;
  for (const key of ['title', 'link', 'description', 'language', 'lastBuildDate']) expect(text(c[key])).not.toBe('');
  expect(text(c.lastBuildDate)).toMatch(/^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
  expect(c['atom:link']['@rel']).toBe('self');
  for (const i of c.item ?? []) {
    for (const key of ['title', 'link', 'guid', 'pubDate', 'description', 'dc:creator']) expect(text(i[key])).not.toBe('');
    expect(i.guid['@isPermaLink']).toBe('true');
    expect(text(i.guid)).toBe(text(i.link));
    expect(text(i.pubDate)).toMatch(/^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
  }
}

function assertJsonFeed(feed: Json, selfUrl: string) {
  expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
  expect(typeof feed.title).toBe('string');
  expect(feed.feed_url).toBe(selfUrl);
  expect(feed.home_page_url).toMatch(/^https:\/\//);
  expect(feed.language).toBe('en');
  expect(feed.authors[0].name).toBe('Test Reviews');
  expect(Array.isArray(feed.items)).toBe(true);
  for (const i of feed.items) {
    expect(typeof i.id).toBe('string');
    expect(typeof i.content_html).toBe('string');
    expect(i.url).toBe(i.id);
    for (const key of ['title', 'summary', 'date_published', 'date_modified']) expect(typeof i[key]).toBe('string');
    expect(i.authors[0].name).toEqual(expect.any(String));
    expect(Array.isArray(i.tags)).toBe(true);
    expect(i._review).toHaveProperty('score');
    expect(i._review).toHaveProperty('best');
    expect(i._review).toHaveProperty('rating');
  }
}

forEachDatabase((fresh) => {
  async function seeded() {
    const { db } = await fresh();
    const seed = await seedCatalog(db);
    const site = await startSite(db);
    return { db, seed, ...site };
  }

  it('serves the latest reviews in each format, with the required elements', async () => {
    const { seed, get } = await seeded();
    for (const format of FORMATS) {
      const page = await get(`/feed.${format}`);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe(CONTENT_TYPES[format]);
      const feed = parseFeed(format, page.body);
      if (format === 'atom') assertAtom(feed);
      if (format === 'rss') assertRss(feed);
      if (format === 'json') assertJsonFeed(feed, `${PUBLIC_URL}/feed.json`);
      const items = entries(format, feed);
      // Newest first.
      expect(items.map((i) => i.title)).toEqual(['Better than they say', 'Devilman Crybaby — review by Aiko Tanaka', 'Cliché after cliché', 'A nightmare in mirrors']);
      expect(items[2]!.id).toBe(`${PUBLIC_URL}/reviews/${seed.hero.review.id}`);
      expect(items[2]!.author).toBe('Aiko Tanaka');
      expect(items[2]!.content).toContain('Score: 2.5 out of 5');
      expect(items[2]!.content).toContain('★★½☆☆');
      expect(items[2]!.content).toContain('Gunfights are <em>awesome</em>');
      expect(items[2]!.content).toContain(`href="${PUBLIC_URL}/works/${seed.hero.work.slug}"`);
    }
  });

  it('carries dates, tags and the score extension', async () => {
    const { seed, get } = await seeded();
    const json = JSON.parse((await get('/feed.json')).body) as Json;
    const hero = json.items.find((i: Json) => i.id.endsWith(`/reviews/${seed.hero.review.id}`));
    expect(hero.date_published).toBe('2024-03-02T10:00:00.000Z');
    expect(hero.tags).toEqual(['Thriller']);
    expect(hero._review).toMatchObject({ score: 2.5, best: 5, rating: 50 });
    expect(hero.summary).toBe('Stylish gunfights, hollow characters.');
    const devilman = json.items.find((i: Json) => i.id.endsWith(`/reviews/${seed.devilman.review.id}`));
    expect(devilman._review).toMatchObject({ score: null, best: null, rating: null });

    const atom = parseFeed('atom', (await get('/feed.atom')).body);
    expect(text(atom.feed.updated)).toBe('2024-03-05T10:00:00.000Z');
    const entry = atom.feed.entry.find((e: Json) => text(e.id).endsWith(`/reviews/${seed.hero.review.id}`));
    expect(entry.category.map((c: Json) => c['@term'])).toEqual(['Thriller']);
    expect(text(entry.published)).toBe('2024-03-02T10:00:00.000Z');

    const rss = parseFeed('rss', (await get('/feed.rss')).body);
    const item = rss.rss.channel.item.find((i: Json) => text(i.link).endsWith(`/reviews/${seed.hero.review.id}`));
    expect(text(item.pubDate)).toBe('Sat, 02 Mar 2024 10:00:00 GMT');
    expect(item.category.map(text)).toEqual(['Thriller']);
  });

  it('never gives a spoiler away, and links the review instead', async () => {
    const { seed, get } = await seeded();
    const paths = ['/feed', `/authors/aiko-tanaka/feed`, `/works/${seed.hero.work.slug}/feed`];
    for (const path of paths) {
      for (const format of FORMATS) {
        const page = await get(`${path}.${format}`);
        expect(page.status).toBe(200);
        for (const spoiler of SPOILERS) expect(page.body).not.toContain(spoiler);
        const hero = entries(format, parseFeed(format, page.body)).find((e) => e.id.endsWith(`/reviews/${seed.hero.review.id}`))!;
        expect(hero.content).toContain(NOTE);
        expect(hero.content).toContain(`<a href="${PUBLIC_URL}/reviews/${seed.hero.review.id}">Contains spoilers — read on the site</a>`);
        expect(hero.content).toContain('Still worth a look.');
        // Once for the inline passage, once for the block.
        expect(hero.content.split(NOTE)).toHaveLength(3);
      }
    }
  });

  it('limits author and work feeds to their own reviews', async () => {
    const { seed, get } = await seeded();
    for (const format of FORMATS) {
      const ben = parseFeed(format, (await get(`/authors/ben-critic/feed.${format}`)).body);
      const benItems = entries(format, ben);
      expect(benItems.map((i) => i.title)).toEqual(['Better than they say', 'A nightmare in mirrors']);
      expect(new Set(benItems.map((i) => i.author))).toEqual(new Set(['Ben Critic']));

      const heroFeed = parseFeed(format, (await get(`/works/${seed.hero.work.slug}/feed.${format}`)).body);
      const heroItems = entries(format, heroFeed);
      expect(heroItems.map((i) => i.id)).toEqual([`${PUBLIC_URL}/reviews/${seed.second.review.id}`, `${PUBLIC_URL}/reviews/${seed.hero.review.id}`]);
    }
    const atom = parseFeed('atom', (await get(`/works/${seed.hero.work.slug}/feed.atom`)).body);
    expect(text(atom.feed.id)).toBe(`${PUBLIC_URL}/works/${seed.hero.work.slug}/feed.atom`);
    expect(atom.feed.link.find((l: Json) => l['@rel'] === 'alternate')['@href']).toBe(`${PUBLIC_URL}/works/${seed.hero.work.slug}`);
    const json = JSON.parse((await get('/authors/ben-critic/feed.json')).body) as Json;
    expect(json.feed_url).toBe(`${PUBLIC_URL}/authors/ben-critic/feed.json`);
    expect(json.home_page_url).toBe(`${PUBLIC_URL}/authors/ben-critic`);
  });

  it('answers 404 for an unknown author or work', async () => {
    const { get } = await seeded();
    for (const format of FORMATS) {
      expect((await get(`/authors/nobody/feed.${format}`)).status).toBe(404);
      expect((await get(`/works/no-such-work/feed.${format}`)).status).toBe(404);
    }
  });

  it('leaves drafts out, and is a valid empty feed with no reviews', async () => {
    const { db } = await fresh();
    await importParsedItem(db, makeItem({ title: 'Unfinished' }, { status: 'draft', publishedAt: null, headline: 'Draft thoughts' }), { author: 'Drafty' });
    const { get } = await startSite(db);
    for (const format of FORMATS) {
      const page = await get(`/feed.${format}`);
      const feed = parseFeed(format, page.body);
      expect(entries(format, feed)).toEqual([]);
      expect(page.body).not.toContain('Draft thoughts');
      if (format === 'atom') {
        assertAtom(feed);
        expect(text(feed.feed.updated)).toBe('1970-01-01T00:00:00.000Z');
      }
      if (format === 'rss') assertRss(feed);
      if (format === 'json') assertJsonFeed(feed, `${PUBLIC_URL}/feed.json`);
    }
  });

  it('answers a repeated request with 304 through the ETag', async () => {
    const { get } = await seeded();
    const first = await get('/feed.atom');
    const etag = String(first.headers.etag);
    expect(etag).toBeTruthy();
    expect((await get('/feed.atom', { 'if-none-match': etag })).status).toBe(304);
  });

  it('stays well-formed and keeps hostile text intact', async () => {
    const { db } = await fresh();
    const headline = `Evil ]]> <script>alert("x")</script> & 'quotes' \u0001 line\r\nbreak &amp; done`;
    const result = await importParsedItem(
      db,
      makeItem(
        { title: 'Work <b>&</b> ]]> "x"', tags: ['<tag> & ]]>'] },
        { headline, summary: 'Sum ]]> <i>', body: 'Body ]]> <script>alert(1)</script> & \u0001 ||secret <b>||\n\n<![CDATA[ x ]]>' },
      ),
      { author: 'Mal <Lory> & "Co"' },
    );
    const { get } = await startSite(db);
    const stored = await storedTitles(db);
    // The database keeps what was typed; only the XML formats must drop the control character.
    expect(stored.get(result.review.id)).toBe(headline);
    const paths = ['/feed', `/works/${result.work.slug}/feed`, `/authors/${(await authorSlugs(db))[0]}/feed`];
    for (const path of paths) {
      for (const format of FORMATS) {
        const page = await get(`${path}.${format}`);
        expect(page.status).toBe(200);
        const feed = parseFeed(format, page.body);
        const [entry] = entries(format, feed);
        const expected = stored.get(result.review.id)!;
        expect(entry!.title).toBe(format === 'json' ? expected : stripIllegalXml(expected));
        expect(entry!.author).toBe('Mal <Lory> & "Co"');
        expect(entry!.content).not.toContain('<script>');
        expect(entry!.content).not.toContain('secret');
        if (format !== 'json') expect(page.body).not.toContain('<script>');
      }
    }
  });

  it('stays well-formed with the big list of naughty strings, 50 reviews at most', async () => {
    const { db } = await fresh();
    const strings = naughtyStrings().filter((s) => !s.includes('\u0000'));
    // One review more than a feed holds, the first the oldest: it must be the one left out.
    const groups = 51;
    const ids: number[] = [];
    for (let i = 0; i < groups; i++) {
      const mine = strings.filter((_, k) => k % groups === i);
      const result = await importParsedItem(
        db,
        makeItem(
          { title: `[${i}] ${mine[1] ?? ''}`, tags: mine.slice(0, 3).filter((s) => s.trim()) },
          { headline: mine[0] || null, summary: mine[2] || null, body: mine.join('\n\n') || 'x', publishedAt: new Date(Date.UTC(2024, 0, 1 + i)).toISOString() },
        ),
        { author: `Naughty ${i} ${mine[3] ?? ''}` },
      );
      ids.push(result.review.id);
    }
    const { get } = await startSite(db);
    const stored = await storedTitles(db);
    for (const format of FORMATS) {
      const page = await get(`/feed.${format}`);
      expect(page.status).toBe(200);
      const feed = parseFeed(format, page.body);
      const items = entries(format, feed);
      expect(items.map((i) => Number(i.id.split('/').pop()))).toEqual(ids.slice(1).reverse());
      for (const item of items) {
        const expected = stored.get(Number(item.id.split('/').pop()))!;
        expect(item.title).toBe(format === 'json' ? expected : stripIllegalXml(expected));
      }
    }
  });
});

/** Each review's feed title, from what the database kept. */
async function storedTitles(db: Db): Promise<Map<number, string>> {
  const rows = await db.kysely
    .selectFrom('reviews')
    .innerJoin('works', 'works.id', 'reviews.workId')
    .innerJoin('authors', 'authors.id', 'reviews.authorId')
    .select(['reviews.id', 'reviews.headline', 'works.title', 'authors.name'])
    .execute();
  return new Map(rows.map((r) => [r.id, r.headline || `${r.title} — review by ${r.name}`]));
}

async function authorSlugs(db: Db): Promise<string[]> {
  return (await db.kysely.selectFrom('authors').select('slug').orderBy('id').execute()).map((r) => r.slug);
}

it('escapes every markup character and drops what XML cannot carry', () => {
  expect(escapeXml(`a&b<c>d"e'f]]>`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f]]&gt;');
  expect(escapeXml('x\u0001\u0008\u000B\u000C\u001F\uFFFE\uFFFFy')).toBe('xy');
  expect(escapeXml('tab\tnl\ncr\r')).toBe('tab\tnl\ncr&#13;');
  expect(escapeXmlAttribute('tab\tnl\n')).toBe('tab&#9;nl&#10;');
  // Lone surrogates go; a pair (an emoji) stays.
  expect(escapeXml('a\uD800b\uDC00c😀')).toBe('abc😀');
});
