/**
 * Keeps a long import's memory near what it really holds.
 *
 * V8 sizes its heap for throughput: with gigabytes free it lets the garbage of an import (each
 * entry's rows, documents and statements, promoted to the old generation while a batch awaits
 * the database) grow to a few hundred megabytes before a full collection, although what the
 * import keeps alive is a few tens. A heap limit (`--max-old-space-size`) would bound that, but
 * cannot be set once the process runs, and would turn an import that genuinely needs more (a
 * Letterboxd export holds one record per film until every file is read) into a crash. So after
 * each batch the run asks `afterBatch`, which collects when the heap has grown by `slackBytes`
 * since the last collection: the garbage stays bounded, and a heap that grows with what it keeps
 * only makes collections rarer.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/** V8's full collection: `--expose-gc` set now gives new contexts their `gc` function. */
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('typeof gc === "function" ? gc : null');
      collect = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      collect = null;
    }
  }
  return collect;
}

export class HeapGovernor {
  private live = v8.getHeapStatistics().used_heap_size;
  /** Full collections asked for so far. */
  collections = 0;

  constructor(private readonly slackBytes = 64 * 1024 * 1024) {}

  /** Collects if the heap grew by more than the slack since the last collection. */
  afterBatch(): void {
    const used = v8.getHeapStatistics().used_heap_size;
    if (used - this.live < this.slackBytes) return;
    const gc = collector();
    if (!gc) return;
    gc();
    this.collections++;
    this.live = v8.getHeapStatistics().used_heap_size;
  }
}
