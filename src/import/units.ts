/**
 * Preparing the files of an import (import/prepare.ts) on two threads: a worker
 * (parse.worker.ts) goes through the units (a few files each) from the first, and the main
 * thread, when the units it is about to write are not ready, prepares the last of them that
 * the worker has not started, so neither thread waits for long and both cores work. Which
 * thread takes a unit is settled in shared memory, so each unit is prepared once.
 */
import { Worker } from 'node:worker_threads';
import { prepareFile, type PreparedFile } from './prepare.js';

/** Indexes into the shared Int32Array (see parse.worker.ts). */
export const LIMIT = 0;
export const STOP = 1;
export const UNITS = 2;
export const FREE = 0;
export const CLAIMED_BY_WORKER = 1;
export const CLAIMED_BY_MAIN = 2;

export type UnitResponse = { unit: number; files: PreparedFile[] } | { unit: number; crash: string };

/**
 * The worker, from the compiled file next to this one; from the TypeScript sources (tests,
 * `tsx`), through tsx's loader, which worker threads do not inherit.
 */
function startWorker(workerData: unknown): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./parse.worker.js', here), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./parse.worker.ts', here).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`, {
    eval: true,
    workerData,
  });
}

export class PreparedUnits {
  private readonly shared: Int32Array;
  private readonly done = new Map<number, PreparedFile[] | Error>();
  private worker: Worker | undefined;
  private wake: (() => void) | undefined;

  /** `units`: the paths to prepare, unit by unit. Without `useWorker`, everything is prepared on this thread. */
  constructor(
    private readonly units: string[][],
    useWorker: boolean,
  ) {
    this.shared = new Int32Array(new SharedArrayBuffer(4 * (UNITS + units.length)));
    if (useWorker && units.length > 0) this.start();
  }

  private start() {
    try {
      this.worker = startWorker({ units: this.units, shared: this.shared });
    } catch (error) {
      this.fallBack(error instanceof Error ? error.message : String(error));
      return;
    }
    this.worker.on('message', (response: UnitResponse) => {
      this.done.set(response.unit, 'crash' in response ? new Error(response.crash) : response.files);
      this.wake?.();
    });
    this.worker.on('error', (error) => this.fallBack(`the reading thread failed (${error.message})`));
    this.worker.on('exit', (code) => {
      // Done: every unit it took was posted before it stopped.
      if (code === 0) this.worker = undefined;
      else this.fallBack(`the reading thread stopped (exit code ${code})`);
      this.wake?.();
    });
  }

  /** Units the worker claimed but will not deliver are prepared here from now on. */
  private fallBack(why: string) {
    if (Atomics.load(this.shared, STOP) !== 0) return;
    process.emitWarning(`review files are read on the main thread instead: ${why}`, 'KansouImportWarning');
    this.worker = undefined;
    Atomics.store(this.shared, STOP, 1);
    this.wake?.();
  }

  /** Lets the worker prepare units up to (not including) `end`. */
  allow(end: number) {
    if (end > Atomics.load(this.shared, LIMIT)) {
      Atomics.store(this.shared, LIMIT, end);
      Atomics.notify(this.shared, LIMIT);
    }
  }

  private prepareHere(unit: number) {
    try {
      this.done.set(unit, this.units[unit]!.map(prepareFile));
    } catch (error) {
      this.done.set(unit, error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** The prepared files of units `from` to `to` (not included), in order. */
  async take(from: number, to: number): Promise<PreparedFile[]> {
    for (;;) {
      let missing = false;
      let stolen = false;
      for (let unit = to - 1; unit >= from; unit--) {
        if (this.done.has(unit)) continue;
        missing = true;
        const claim = Atomics.compareExchange(this.shared, UNITS + unit, FREE, CLAIMED_BY_MAIN);
        // Free (now ours), or the worker's but the worker is gone: prepare it here.
        if (claim === FREE || (claim === CLAIMED_BY_WORKER && !this.worker)) {
          this.prepareHere(unit);
          stolen = true;
          break;
        }
      }
      if (!missing) break;
      if (!stolen) await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    const files: PreparedFile[] = [];
    for (let unit = from; unit < to; unit++) {
      const result = this.done.get(unit)!;
      this.done.delete(unit);
      if (result instanceof Error) throw result;
      files.push(...result);
    }
    return files;
  }

  async close(): Promise<void> {
    Atomics.store(this.shared, STOP, 1);
    Atomics.notify(this.shared, LIMIT);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
