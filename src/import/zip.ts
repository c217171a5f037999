/**
 * Reading the files of a ZIP archive (a Letterboxd export, Kansou's Markdown export) in memory,
 * never extracting anything to disk, and refusing archives built to do harm: entry names that
 * point outside the archive (absolute, or with `..`), too many entries, and zip bombs: entries
 * that inflate to far more than an export holds. Sizes are checked twice: the sizes the archive declares, before reading, and the bytes
 * actually inflated, while reading, since a crafted archive can declare anything.
 */
import { open } from 'node:fs/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError } from '../shared/errors.js';

export interface ZipLimits {
  /** Entries in the archive. A Letterboxd export has a dozen files and one per list. */
  maxEntries: number;
  /** Bytes one entry may inflate to. */
  maxEntryBytes: number;
  /** Bytes all entries together may inflate to (declared), and the entries read (actual). */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 10_000,
  maxEntryBytes: 512 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
};

export interface ZipMember {
  /** The entry's path inside the archive, `/`-separated. */
  name: string;
  /** The entry's bytes, inflated as they are read; counted against the limits. */
  read(): AsyncGenerator<Buffer>;
}

/** The first bytes of a file; an `AppError` naming it when it cannot be read. */
export async function readHead(path: string, length = 4): Promise<Buffer> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? 'unknown error'})`;
    throw new AppError('invalid_input', `${path}: ${why}.`, { cause: error });
  }
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError('invalid_input', `${path}: ${code === 'EISDIR' ? 'is a folder, not a file' : 'cannot be read'}.`, { cause: error });
  } finally {
    await file.close();
  }
}

/** A local file header or an empty archive's end record: what every ZIP starts with. */
export function looksLikeZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

/** Why a name is refused, or null. yauzl checks the same; this keeps the rule in view. */
function unsafeName(name: string): string | null {
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'an absolute path';
  if (name.split(/[/\\]/).includes('..')) return 'a path with ".."';
  if (name.includes('\0')) return 'a NUL character';
  return null;
}

const YAUZL_NAME_ERROR = /^(absolute path|invalid relative path|invalid characters in fileName): (.*)$/s;

/** What yauzl reports, as a message for the user naming the archive. */
function archiveError(path: string, error: unknown, member?: string): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (member && /too many bytes|not enough bytes/.test(message)) {
    return new AppError('invalid_input', `${path}: refused: ${member} inflates to a different size than it declares (${message}).`, { cause: error });
  }
  const badName = YAUZL_NAME_ERROR.exec(message);
  if (badName) {
    return new AppError('invalid_input', `${path}: refused: the archive holds an entry named "${badName[2]}", which points outside the archive (an absolute path or "..").`, {
      cause: error,
    });
  }
  const where = member ? `${member} cannot be read: the archive is truncated or damaged` : 'not a readable ZIP archive: it is truncated or damaged';
  return new AppError('invalid_input', `${path}: ${where} (${message}).`, { cause: error });
}

function nextEntry(zip: ZipFile, failure: { error?: unknown }): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    if (failure.error) return reject(failure.error);
    const done = () => {
      zip.removeListener('entry', onEntry);
      zip.removeListener('end', onEnd);
      zip.removeListener('error', onError);
    };
    const onEntry = (entry: Entry) => (done(), resolve(entry));
    const onEnd = () => (done(), resolve(null));
    const onError = (error: unknown) => (done(), reject(error));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

/**
 * The entries of the ZIP archive at `path`, one at a time. A member must be read (or left
 * unread) before asking for the next. Throws an `AppError` naming the archive when it is
 * truncated or damaged, names an entry outside itself, or exceeds `limits`.
 */
export async function* zipMembers(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): AsyncGenerator<ZipMember> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true, strictFileNames: false });
  } catch (error) {
    throw archiveError(path, error);
  }
  // Errors between reads land here rather than crashing the process; the next read reports them.
  const failure: { error?: unknown } = {};
  zip.on('error', (error: unknown) => (failure.error ??= error));
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new AppError('invalid_input', `${path}: refused: the archive holds ${zip.entryCount} entries, more than an export has (${limits.maxEntries} at most).`);
    }
    let declared = 0;
    let inflated = 0;
    for (;;) {
      let entry: Entry | null;
      try {
        entry = await nextEntry(zip, failure);
      } catch (error) {
        throw archiveError(path, error);
      }
      if (!entry) break;
      const name = entry.fileName;
      const unsafe = unsafeName(name);
      if (unsafe) throw new AppError('invalid_input', `${path}: refused: the archive holds an entry named "${name}" (${unsafe}), made to point outside the archive.`);
      if (name.endsWith('/')) continue;
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        throw new AppError('invalid_input', `${path}: refused: ${name} would inflate to ${entry.uncompressedSize} bytes, more than an export file can be (${limits.maxEntryBytes} at most).`);
      }
      declared += entry.uncompressedSize;
      if (declared > limits.maxTotalBytes) {
        throw new AppError('invalid_input', `${path}: refused: the archive would inflate to more than ${limits.maxTotalBytes} bytes, more than an export can be.`);
      }
      const current = entry;
      yield {
        name,
        async *read() {
          if (current.isEncrypted()) throw new AppError('invalid_input', `${path}: ${name} is encrypted; export the archive again without a password.`);
          let stream;
          try {
            stream = await zip.openReadStreamPromise(current);
          } catch (error) {
            throw archiveError(path, error, name);
          }
          let bytes = 0;
          try {
            for await (const chunk of stream as AsyncIterable<Buffer>) {
              bytes += chunk.length;
              inflated += chunk.length;
              // The declared size can lie: count what actually comes out of the inflater.
              if (bytes > limits.maxEntryBytes || inflated > limits.maxTotalBytes) {
                throw new AppError('invalid_input', `${path}: refused: ${name} inflates to more bytes than it declares or an export file can hold (a zip bomb?).`);
              }
              yield chunk;
            }
          } catch (error) {
            throw archiveError(path, error, name);
          } finally {
            stream.destroy();
          }
        },
      };
    }
  } finally {
    zip.close();
  }
}
