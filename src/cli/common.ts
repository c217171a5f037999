/**
 * What every command shares: opening the database, a progress line on a terminal, exit codes.
 */
import type { Config } from '../config.js';
import { openDatabase, type Db } from '../db/connection.js';

export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export async function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(config.databaseUrl);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function progress(label: string, total?: number) {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    /** `share`: the part of the input read (0–1), when the count of what is left is unknown. */
    tick(done: number, share?: number) {
      const now = Date.now();
      if (!tty || now - last < 100) return;
      last = now;
      const percent = share !== undefined ? ` (${Math.floor(share * 100)}%)` : '';
      process.stderr.write(`\r\x1b[K${label} ${done}${total ? `/${total}` : ''}${percent}`);
    },
    done() {
      if (tty && last) process.stderr.write('\r\x1b[K');
    },
  };
}

