/**
 * The reading thread of a plain-text import (see plaintext.import.ts): reads, parses and prepares
 * the import's files, a unit (a few files) at a time, in order, while the main thread writes.
 *
 * `workerData.units` are the paths, unit by unit; `workerData.shared` is an Int32Array over shared
 * memory: [LIMIT] how many units may be prepared so far (the main thread raises it as it writes,
 * so prepared files never pile up), [STOP] set when the import is over, then one claim per unit
 * (0 free, 1 this thread's, 2 the main thread's: it prepares units itself rather than wait).
 * Posts `{ unit, files }` (PreparedFile[]), or `{ unit, crash }` when preparing a file threw (a
 * bug, not a bad file: the import stops there, as it would on one thread).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareFile } from './prepare.js';
import { CLAIMED_BY_WORKER, FREE, LIMIT, STOP, UNITS, type UnitResponse } from './units.js';

const { units, shared } = workerData as { units: string[][]; shared: Int32Array };

for (let unit = 0; unit < units.length; unit++) {
  while (Atomics.load(shared, STOP) === 0 && Atomics.load(shared, LIMIT) <= unit) Atomics.wait(shared, LIMIT, Atomics.load(shared, LIMIT), 1000);
  if (Atomics.load(shared, STOP) !== 0) break;
  if (Atomics.compareExchange(shared, UNITS + unit, FREE, CLAIMED_BY_WORKER) !== FREE) continue;
  let response: UnitResponse;
  try {
    response = { unit, files: units[unit]!.map(prepareFile) };
  } catch (error) {
    response = { unit, crash: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(response);
}
