import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { ZipWriter } from './zip.writer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kansou-zip-'));
  dirs.push(dir);
  return join(dir, 'test.zip');
}

async function readZip(bytes: Buffer) {
  const zip = await yauzl.fromBufferPromise(bytes, { strictFileNames: true, validateEntrySizes: true });
  const files: { name: string; text: string; method: number; modified: Date; mode: number }[] = [];
  for await (const entry of zip.eachEntry()) {
    files.push({
      name: entry.fileName,
      text: await text(await zip.openReadStreamPromise(entry)),
      method: entry.compressionMethod,
      modified: entry.getLastModDate({ timezone: 'UTC' }),
      mode: entry.externalFileAttributes >>> 16,
    });
  }
  return files;
}

const files = [
  { name: 'reviews/hero-mask.md', data: `---\ntitle: "Hero ≠ Mask"\n---\n\n${'A long review. '.repeat(200)}` },
  { name: 'reviews/進撃/é.md', data: 'ok' },
  { name: 'reviews/empty.md', data: '' },
];
const when = new Date('2024-03-05T10:20:30Z');

describe('ZipWriter', () => {
  for (const forceZip64 of [false, true]) {
    it(`writes an archive that a strict reader opens${forceZip64 ? ', with ZIP64 records' : ''}`, async () => {
      const path = tempPath();
      const zip = new ZipWriter(createWriteStream(path), { forceZip64 });
      for (const f of files) await zip.add(f.name, Buffer.from(f.data), when);
      await zip.finish();
      const read = await readZip(readFileSync(path));
      expect(read.map((f) => [f.name, f.text])).toEqual(files.map((f) => [f.name, f.data]));
      // Compressed when that makes it smaller, stored otherwise.
      expect(read.map((f) => f.method)).toEqual([8, 0, 0]);
      expect(read.every((f) => f.modified.getTime() === when.getTime() && f.mode === 0o100644)).toBe(true);
    });
  }

  it('writes an empty archive', async () => {
    const path = tempPath();
    const zip = new ZipWriter(createWriteStream(path));
    await zip.finish();
    expect(readFileSync(path).length).toBe(22);
    expect(await readZip(readFileSync(path))).toEqual([]);
  });

  it('waits for a slow destination instead of buffering the archive', async () => {
    const chunks: Buffer[] = [];
    let highest = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        setTimeout(done, 1);
      },
    });
    const zip = new ZipWriter(slow);
    for (let n = 0; n < 40; n++) {
      await zip.add(`f${n}.md`, Buffer.from(`file ${n} `.repeat(100 + n)), when);
      highest = Math.max(highest, slow.writableLength);
    }
    await zip.finish();
    // Never more than one file's worth queued beyond the destination's limit.
    expect(highest).toBeLessThan(1024 + 2048);
    const read = await readZip(Buffer.concat(chunks));
    expect(read).toHaveLength(40);
    expect(read[39]!.text).toBe('file 39 '.repeat(139));
  });

  it('fails when the destination fails, and refuses files after finishing', async () => {
    const broken = new Writable({
      write(_chunk, _encoding, done) {
        done(new Error('disk full'));
      },
    });
    broken.on('error', () => undefined);
    const zip = new ZipWriter(broken);
    await expect(
      (async () => {
        for (let n = 0; n < 10; n++) await zip.add(`f${n}.md`, Buffer.from('x'.repeat(100_000)), when);
      })(),
    ).rejects.toThrow('disk full');

    const done = new ZipWriter(createWriteStream(tempPath()));
    await done.finish();
    await expect(done.add('late.md', Buffer.from('x'), when)).rejects.toThrow('already finished');
  });
});
