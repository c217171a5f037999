/**
 * A ZIP archive written as it goes: each file is compressed and written at once, and only its
 * central-directory record (about a hundred bytes) is kept until the end. ZIP64 records are
 * added when the archive needs them (more than 65,535 files, or past 4 GB).
 *
 * Why not yazl: yazl 3 looks for the next file to write by scanning every file added so far,
 * so its time grows with the square of the count (80,000 files took 28 s, a million would take
 * over an hour), and it keeps an object, its streams' closures and, unless taken care of, each
 * file's data for every file. A review export is a million small files, written one after
 * another, which this does in a single pass.
 */
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import zlib from 'node:zlib';
import { drained } from '../shared/streams.js';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
/** Names are UTF-8 (general purpose flag bit 11). */
const UTF8_NAMES = 0x0800;
const STORED = 0;
const DEFLATED = 8;
/** Made by Unix (so the external attributes are a file mode), ZIP specification 4.5. */
const MADE_BY = (3 << 8) | 45;
const NEEDS_DEFLATE = 20;
const NEEDS_ZIP64 = 45;
const FILE_MODE = 0o100644;
const MAX_16 = 0xffff;
const MAX_32 = 0xffffffff;
/** The "extended timestamp" extra field: the modification time in UTC seconds, beside the local DOS time. */
const EXTENDED_TIMESTAMP = 0x5455;
const ZIP64_EXTRA = 0x0001;
/** Central-directory records are packed into blocks of this size rather than kept one Buffer each. */
const BLOCK = 1 << 20;

export interface ZipWriterOptions {
  /** Write the ZIP64 records even when the archive does not need them (to test readers on them). */
  forceZip64?: boolean;
}

export class ZipWriter {
  private offset = 0;
  private count = 0;
  private readonly central: Buffer[] = [];
  private block = Buffer.allocUnsafe(BLOCK);
  private used = 0;
  private centralSize = 0;
  private finished = false;

  constructor(
    private readonly out: Writable,
    private readonly options: ZipWriterOptions = {},
  ) {}

  /** Adds a file; resolves once `out` can take more (back-pressure). */
  async add(name: string, data: Buffer, mtime: Date): Promise<void> {
    if (this.finished) throw new Error('the archive is already finished');
    const nameBytes = Buffer.from(name, 'utf8');
    if (nameBytes.length > MAX_16) throw new Error(`file name too long: ${name.slice(0, 80)}…`);
    if (data.length >= MAX_32) throw new Error(`file too large for the archive: ${name}`);
    const deflated = zlib.deflateRawSync(data);
    // Tiny files can grow when compressed; those are stored as they are.
    const method = deflated.length < data.length ? DEFLATED : STORED;
    const content = method === DEFLATED ? deflated : data;
    const crc = crc32(data);
    const { time, date } = dosDateTime(mtime);
    const seconds = unixSeconds(mtime);

    const local = Buffer.alloc(30 + nameBytes.length + 9);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(NEEDS_DEFLATE, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(content.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(9, 28);
    nameBytes.copy(local, 30);
    writeTimestamp(local, 30 + nameBytes.length, seconds);

    const headerOffset = this.offset;
    const zip64 = this.options.forceZip64 === true || headerOffset >= MAX_32;
    const extraLength = 9 + (zip64 ? 12 : 0);
    const record = Buffer.alloc(46 + nameBytes.length + extraLength);
    record.writeUInt32LE(CENTRAL_HEADER, 0);
    record.writeUInt16LE(MADE_BY, 4);
    record.writeUInt16LE(zip64 ? NEEDS_ZIP64 : NEEDS_DEFLATE, 6);
    record.writeUInt16LE(UTF8_NAMES, 8);
    record.writeUInt16LE(method, 10);
    record.writeUInt16LE(time, 12);
    record.writeUInt16LE(date, 14);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(content.length, 20);
    record.writeUInt32LE(data.length, 24);
    record.writeUInt16LE(nameBytes.length, 28);
    record.writeUInt16LE(extraLength, 30);
    // Comment length, disk number and internal attributes stay 0.
    record.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
    record.writeUInt32LE(zip64 ? MAX_32 : headerOffset, 42);
    nameBytes.copy(record, 46);
    let at = writeTimestamp(record, 46 + nameBytes.length, seconds);
    if (zip64) {
      at = record.writeUInt16LE(ZIP64_EXTRA, at);
      at = record.writeUInt16LE(8, at);
      record.writeBigUInt64LE(BigInt(headerOffset), at);
    }
    this.keep(record);
    this.count++;

    await this.write(local);
    await this.write(content);
  }

  /** Writes the central directory and the end records, and ends `out`. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const centralOffset = this.offset;
    this.central.push(this.block.subarray(0, this.used));
    for (const block of this.central.splice(0)) if (block.length) await this.write(block);

    const zip64 = this.options.forceZip64 === true || this.count >= MAX_16 || centralOffset >= MAX_32 || this.centralSize >= MAX_32;
    if (zip64) {
      const end64Offset = this.offset;
      const end64 = Buffer.alloc(56);
      end64.writeUInt32LE(ZIP64_END_OF_CENTRAL_DIRECTORY, 0);
      // The size of the rest of the record.
      end64.writeBigUInt64LE(44n, 4);
      end64.writeUInt16LE(MADE_BY, 12);
      end64.writeUInt16LE(NEEDS_ZIP64, 14);
      // This disk and the central directory's disk stay 0.
      end64.writeBigUInt64LE(BigInt(this.count), 24);
      end64.writeBigUInt64LE(BigInt(this.count), 32);
      end64.writeBigUInt64LE(BigInt(this.centralSize), 40);
      end64.writeBigUInt64LE(BigInt(centralOffset), 48);
      await this.write(end64);

      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(ZIP64_LOCATOR, 0);
      locator.writeBigUInt64LE(BigInt(end64Offset), 8);
      locator.writeUInt32LE(1, 16);
      await this.write(locator);
    }

    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
    end.writeUInt16LE(zip64 ? MAX_16 : this.count, 8);
    end.writeUInt16LE(zip64 ? MAX_16 : this.count, 10);
    end.writeUInt32LE(zip64 ? MAX_32 : this.centralSize, 12);
    end.writeUInt32LE(zip64 ? MAX_32 : centralOffset, 16);
    await this.write(end);
    this.out.end();
    await finished(this.out);
  }

  private keep(record: Buffer): void {
    if (this.used + record.length > this.block.length) {
      this.central.push(this.block.subarray(0, this.used));
      this.block = Buffer.allocUnsafe(Math.max(BLOCK, record.length));
      this.used = 0;
    }
    record.copy(this.block, this.used);
    this.used += record.length;
    this.centralSize += record.length;
  }

  private async write(chunk: Buffer): Promise<void> {
    this.offset += chunk.length;
    if (this.out.destroyed) throw this.out.errored ?? new Error('the archive could not be written');
    if (!this.out.write(chunk)) await drained(this.out, () => new Error('the archive was closed before it was written'));
  }
}

/** The extended-timestamp field (flags: modification time only), at `at`; returns where it ends. */
function writeTimestamp(buffer: Buffer, at: number, seconds: number): number {
  let next = buffer.writeUInt16LE(EXTENDED_TIMESTAMP, at);
  next = buffer.writeUInt16LE(5, next);
  next = buffer.writeUInt8(1, next);
  return buffer.writeInt32LE(seconds, next);
}

function unixSeconds(date: Date): number {
  return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.floor(date.getTime() / 1000)));
}

/** MS-DOS date and time (local time, two-second steps, 1980–2107), as ZIP readers expect them. */
function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(2107, Math.max(1980, date.getFullYear()));
  const inRange = year === date.getFullYear();
  const d = inRange ? date : new Date(year, 0, 1);
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

let table: Uint32Array | undefined;

/** CRC-32 of the data: zlib's (Node 20.15 and later), or the table-driven one before that. */
function crc32(data: Buffer): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(data) >>> 0;
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
