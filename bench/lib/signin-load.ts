/**
 * The sign-in measurement's two clients, over real HTTP to `POST /login`: an attacker sending
 * wrong passwords for one account at a steady rate, and the account's owner signing in again
 * and again from their own browser (holding the device cookie of an earlier sign-in). Each
 * client binds its own loopback address (127.0.0.0/8 all reaches the server on Linux), so the
 * server sees them as different addresses; the attacker can rotate through many.
 */
import { request } from 'node:http';

export interface FormResult {
  status: number;
  ms: number;
  cookies: string[];
}

export function postForm(origin: string, path: string, fields: Record<string, string>, options: { localAddress?: string; cookie?: string } = {}): Promise<FormResult> {
  const body = new URLSearchParams(fields).toString();
  const url = new URL(path, origin);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: options.localAddress,
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          origin,
          ...(options.cookie ? { cookie: options.cookie } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const setCookie = res.headers['set-cookie'] ?? [];
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, cookies: setCookie.map((c) => c.split(';')[0]!) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface AttackResult {
  sent: number;
  byStatus: Record<string, number>;
  /** Requests that could not be sent on time because earlier ones were still waiting. */
  errors: number;
}

/** `rate` wrong-password requests a second for `seconds`, each from `address(i)`, not waiting for answers. */
export async function attack(origin: string, email: string, rate: number, seconds: number, address: (i: number) => string, stop: AbortSignal): Promise<AttackResult> {
  const result: AttackResult = { sent: 0, byStatus: {}, errors: 0 };
  const pending: Promise<void>[] = [];
  const started = performance.now();
  while (!stop.aborted && performance.now() - started < seconds * 1000) {
    const i = result.sent++;
    pending.push(
      postForm(origin, '/login', { email, password: `wrong guess ${i}` }, { localAddress: address(i) }).then(
        (r) => void (result.byStatus[r.status] = (result.byStatus[r.status] ?? 0) + 1),
        () => void result.errors++,
      ),
    );
    const next = started + (result.sent * 1000) / rate;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  await Promise.all(pending);
  return result;
}

export interface OwnerResult {
  latenciesMs: number[];
  byStatus: Record<string, number>;
}

/** The owner signs in with the right password, one sign-in after another with `pauseMs` between, until `stop`. */
export async function ownerSignIns(origin: string, email: string, password: string, cookie: string, localAddress: string, pauseMs: number, stop: AbortSignal): Promise<OwnerResult> {
  const out: OwnerResult = { latenciesMs: [], byStatus: {} };
  while (!stop.aborted) {
    const r = await postForm(origin, '/login', { email, password }, { localAddress, cookie });
    out.latenciesMs.push(r.ms);
    out.byStatus[r.status] = (out.byStatus[r.status] ?? 0) + 1;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return out;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
