/**
 * Runs the real `kansou` command (from the TypeScript sources) in a child process.
 */
import { spawn } from 'node:child_process';

const entry = new URL('./kansou-entry.ts', import.meta.url).pathname;
const root = new URL('..', import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts a long-running command (`serve`); the caller stops it. Output accumulates in `output()`. */
export function startCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
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

export function runCli(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
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
