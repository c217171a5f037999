import { createWriteStream, mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZipWriter } from '../../exports/zip.writer.js';
import type { SourceEntry } from '../import.types.js';
import { parseMarkdownArchive } from './markdown.parse.js';

async function archive(files: Record<string, string | Buffer>): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'kansou-md-')), 'reviews.zip');
  const out = createWriteStream(path);
  const zip = new ZipWriter(out);
  for (const [name, content] of Object.entries(files)) await zip.add(name, Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), new Date('2024-03-05T00:00:00Z'));
  await zip.finish();
  if (!out.closed) await once(out, 'close');
  return path;
}

async function read(path: string): Promise<SourceEntry[]> {
  const entries: SourceEntry[] = [];
  for await (const entry of parseMarkdownArchive(path)) entries.push(entry);
  return entries;
}

const exported = `---
title: "Hero ≠ Mask"
kind: "anime_series"
year: 2018
episodes: 24
director: ["Hiroyasu Aoki"]
score: "2.5 out of 5"
headline: "Masks all the way down"
date: "2024-03-05"
author: "Aiko Tanaka"
source_url: "https://blog.example/2024/hero-mask"
list:
  status: "completed"
  progress: 24
  started_on: "2024-01-01"
  finished_on: "2024-02-29"
  times_watched: 2
  tags: ["rewatch", "favourite"]
---

The first half is tight.

Then ||the mask is the detective|| and it wobbles.
`;

describe('parseMarkdownArchive', () => {
  it('reads what the export writes for people as well as what the review parser reads: author, old address, episodes, list entry', async () => {
    const [entry] = await read(await archive({ 'reviews/hero-not-equal-mask.md': exported }));
    expect(entry).toMatchObject({
      ref: 'reviews/hero-not-equal-mask.md',
      item: {
        author: 'Aiko Tanaka',
        sourceUrl: 'https://blog.example/2024/hero-mask',
        work: { title: 'Hero ≠ Mask', kind: 'anime_series', year: 2018, episodes: 24 },
        review: { headline: 'Masks all the way down', score: { value: 2.5, max: 5 }, hasSpoilers: true },
        entry: { status: 'completed', progress: 24, startedOn: '2024-01-01', finishedOn: '2024-02-29', timesWatched: 2, tags: ['rewatch', 'favourite'] },
      },
    });
    const item = 'item' in entry! ? entry.item : undefined;
    expect(item?.review?.body).toBe('The first half is tight.\n\nThen ||the mask is the detective|| and it wobbles.');
    expect(item?.warnings).toEqual([]);
  });

  it('skips files that are not reviews, reports a broken one by name, and reads the rest', async () => {
    const entries = await read(
      await archive({
        'reviews/a.md': '# Mob Psycho 100\n\nFunny and kind.\n\nScore: 9/10\n',
        'images/poster.jpg': Buffer.from([0xff, 0xd8, 0xff, 0x00]),
        'reviews/broken.md': '---\ntitle: [unclosed\n---\n\nText.\n',
        'reviews/binary.md': Buffer.from([0x41, 0x00, 0x42]),
        'reviews/b.md': '# Ping Pong the Animation\n\nThe best sports anime.\n\nScore: 10/10\n',
      }),
    );
    expect(entries.map((e) => [e.ref, 'item' in e ? 'item' : 'skip' in e ? 'skip' : 'error'])).toEqual([
      ['reviews/a.md', 'item'],
      ['images/poster.jpg', 'skip'],
      ['reviews/broken.md', 'error'],
      ['reviews/binary.md', 'error'],
      ['reviews/b.md', 'item'],
    ]);
    expect(entries[2]).toMatchObject({ error: expect.stringMatching(/^reviews\/broken\.md, line \d+: malformed front matter/) });
    expect(entries[3]).toMatchObject({ error: 'reviews/binary.md: binary file (contains NUL bytes)' });
  });

  it('warns about a list entry it cannot read rather than guessing', async () => {
    const text = exported.replace('status: "completed"', 'status: "finished"').replace('started_on: "2024-01-01"', 'started_on: "2024-02-30"');
    const [entry] = await read(await archive({ 'r.md': text }));
    const item = 'item' in entry! ? entry.item : undefined;
    expect(item?.entry).toMatchObject({ status: null, startedOn: null, progress: 24 });
    expect(item?.warnings).toEqual([
      'front matter: ignored the list status "finished" (one of watching, completed, on_hold, dropped, plan_to_watch)',
      'front matter: ignored list "started_on", which is not a date (YYYY-MM-DD)',
    ]);
  });

  it('refuses an archive without a single review file, and one that reaches outside itself', async () => {
    await expect(read(await archive({ 'poster.jpg': 'x' }))).rejects.toThrow(/holds no Markdown \(\.md\) or text files/);
    await expect(read(await archive({ '../escape.md': exported }))).rejects.toThrow(/points outside the archive/);
  });
});
