/**
 * Turning the paths a user gives into files, and files into text: folders are walked for
 * review files, globs are expanded (for shells that pass them through quoted), and bytes
 * are decoded with a clear error for what is not text.
 */
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { glob } from 'tinyglobby';

export const TEXT_EXTENSIONS = ['.txt', '.md', '.markdown', '.text'];

export class UnreadableFileError extends Error {}

/**
 * The files named by `inputs`, in the order given (folders and globs sorted), without
 * duplicates. A path that names nothing is kept in its place, marked missing, to be reported.
 */
export async function expandInputs(inputs: string[]): Promise<{ path: string; missing: boolean }[]> {
  const out: { path: string; missing: boolean }[] = [];
  const seen = new Set<string>();
  const add = (path: string, missing = false) => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push({ path, missing });
  };
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info?.isFile()) {
      add(input);
    } else if (info?.isDirectory()) {
      const found = await glob(TEXT_EXTENSIONS.map((e) => `**/*${e}`), { cwd: input, absolute: false, caseSensitiveMatch: false });
      for (const f of found.sort()) add(`${input.replace(/\/+$/, '')}/${f}`);
    } else if (/[*?[{]/.test(input)) {
      const found = await glob(input, { absolute: false });
      if (found.length === 0) add(input, true);
      for (const f of found.sort()) add(f);
    } else {
      add(input, true);
    }
  }
  return out;
}

/**
 * The text of a file: UTF-8 (with or without a byte-order mark) or UTF-16 with a BOM.
 * Binary content (NUL bytes in UTF-8, invalid UTF-8) is refused with the reason.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.includes(0)) throw new UnreadableFileError('binary file (contains NUL bytes)');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new UnreadableFileError('not valid UTF-8 text');
  }
}

/**
 * Reads synchronously: review files are small, and the command line reads them one after
 * another, so a round trip through the thread pool per file only adds waiting.
 */
export function readTextFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnreadableFileError(code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? 'unknown error'})`);
  }
  if (bytes.length === 0) throw new UnreadableFileError('empty file');
  return decodeText(bytes);
}
