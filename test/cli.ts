/**
 * Runs the real `kansou` command in a child process: from the TypeScript sources, or (`launch`)
 * as built, through a bin/kansou.js.
 */
import { spawn } from 'node:child_process';

const entry = new URL('./kansou-entry.ts', import.meta.url).pathname;
const root = new URL('..', import.meta.url).pathname;

/** Node's arguments that start the command, before the command's own. */
export type Launch = string[];
const fromSources: Launch = ['--import', 'tsx', entry];
/** The command as `npm install` builds it, started by the given bin/kansou.js. */
export const builtCommand = (bin: string): Launch => [bin];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts a long-running command (`serve`); the caller stops it. Output accumulates in `output()`. */
export function startCli(args: string[], env: Record<string, string> = {}, launch: Launch = fromSources) {
  const child = spawn(process.execPath, [...launch, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    output: () => output,
    /** Resolves when the output contains `text`; rejects when the process exits first. */
    waitFor: (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (output.includes(text)) {
            clearInterval(timer);
            resolve();
          }
        };
        const timer = setInterval(check, 50);
        void exited.then(() => {
          clearInterval(timer);
          if (output.includes(text)) resolve();
          else reject(new Error(`exited before printing "${text}":\n${output}`));
        });
      }),
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export function runCli(args: string[], env: Record<string, string> = {}, stdin?: string, launch: Launch = fromSources): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...launch, ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}
