import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readRecords, type JsonRecord } from './record-stream.js';

async function all(pieces: string[]): Promise<JsonRecord[]> {
  const out: JsonRecord[] = [];
  for await (const r of readRecords(Readable.from(pieces))) out.push(r);
  return out;
}

const splitEvery = (text: string, n: number) => Array.from({ length: Math.ceil(text.length / n) }, (_, i) => text.slice(i * n, (i + 1) * n));

describe('readRecords', () => {
  const doc = JSON.stringify(
    {
      format: 'kansou',
      version: 1,
      works: [{ title: 'A "quoted" } ] title', nested: { list: [1, [2, 3]] } }, { title: 'Ｂ ≠ ｃ\\' }],
      empty: [],
      reviews: [{ body: 'line\nbreak {[' }],
    },
    null,
    2,
  );
  const expected = [
    { kind: 'field', key: 'format', value: 'kansou' },
    { kind: 'field', key: 'version', value: 1 },
    { kind: 'item', section: 'works', index: 0, value: { title: 'A "quoted" } ] title', nested: { list: [1, [2, 3]] } } },
    { kind: 'item', section: 'works', index: 1, value: { title: 'Ｂ ≠ ｃ\\' } },
    { kind: 'item', section: 'reviews', index: 0, value: { body: 'line\nbreak {[' } },
  ];

  it('yields top-level fields and each item of each section, whatever the chunking', async () => {
    expect(await all([doc])).toEqual(expected);
    for (const size of [1, 2, 3, 7, 64]) expect(await all(splitEvery(doc, size))).toEqual(expected);
  });

  it('reads UTF-8 split inside a character and skips a byte-order mark', async () => {
    const bytes = Buffer.from(`\uFEFF${doc}`, 'utf8');
    const chunks = Array.from({ length: Math.ceil(bytes.length / 5) }, (_, i) => bytes.subarray(i * 5, (i + 1) * 5));
    const out: JsonRecord[] = [];
    for await (const r of readRecords(Readable.from(chunks))) out.push(r);
    expect(out).toEqual(expected);
  });

  it('names the line of a syntax error', async () => {
    await expect(all(['{\n"format": "kansou",\n"works": [\n{"title": "x",}\n]}'])).rejects.toThrow(/^line 4: invalid JSON in "works" item 1/);
    await expect(all(['{"works": [1,,2]}'])).rejects.toThrow(/expected an item/);
    await expect(all(['{"works": [] } trailing'])).rejects.toThrow(/after the end of the document/);
  });

  it('refuses a truncated document', async () => {
    await expect(all(['{"works": [{"title": "x"}'])).rejects.toThrow(/ends too early/);
    await expect(all([''])).rejects.toThrow(/ends too early/);
  });
});
