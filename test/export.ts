/**
 * The JSON export of a database as one string, for tests that compare or restore it.
 */
import { PassThrough } from 'node:stream';
import type { Db } from '../src/db/connection.js';
import { exportJson } from '../src/interchange/interchange.export.js';

export async function exportText(db: Db): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportJson(db, out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}
