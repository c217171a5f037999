/**
 * Makes a real PostgreSQL server available to the suite. With KANSOU_TEST_POSTGRES_URL set
 * (CI sets it) that server is used; otherwise, where the machine has PostgreSQL's server
 * binaries, a throwaway server is started for the run and stopped after it; on a machine
 * without them the PostgreSQL half of the suite is skipped, and the run says so.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);
const script = new URL('../scripts/throwaway-postgres.sh', import.meta.url).pathname;

export default async function setup(project: TestProject) {
  let url = process.env.KANSOU_TEST_POSTGRES_URL;
  let stop: (() => Promise<void>) | undefined;
  if (!url && process.env.KANSOU_TEST_POSTGRES !== 'off') {
    const dir = await mkdtemp(join(tmpdir(), 'kansou-pg-'));
    // The server runs as the postgres user when the suite runs as root: it must reach its folder.
    await chmod(dir, 0o755);
    const port = String(55000 + Math.floor(Math.random() * 5000));
    try {
      url = (await run('bash', [script, 'start', join(dir, 'data'), port])).stdout.trim();
      stop = async () => {
        await run('bash', [script, 'stop', join(dir, 'data')]).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      url = undefined;
      const reason = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
      console.warn(`\nPostgreSQL: skipped — no server could be started (${reason.split('\n')[0]}). Tests ran on SQLite only.\n`);
    }
  }
  if (url) console.log(`\nPostgreSQL: tests run on SQLite and on ${url.replace(/\/\/([^:@/]+)(:[^@]*)?@/, '//$1@')}\n`);
  project.provide('postgresUrl', url ?? '');
  return async () => {
    await stop?.();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
