import v8 from 'node:v8';
import { expect, it } from 'vitest';
import { HeapGovernor } from './memory.js';

it('collects the garbage a batch left once the heap has grown past the slack, and not before', () => {
  const governor = new HeapGovernor(8 * 1024 * 1024);
  governor.afterBatch();
  expect(governor.collections).toBe(0);
  // Garbage a batch leaves behind: ~40 MB of strings that nothing refers to any more, kept alive
  // just long enough to reach the old generation.
  let kept: string[] | null = Array.from({ length: 200_000 }, (_, i) => `entry ${i} `.repeat(20));
  const grown = v8.getHeapStatistics().used_heap_size;
  kept = null;
  governor.afterBatch();
  expect(kept).toBeNull();
  expect(governor.collections).toBe(1);
  expect(v8.getHeapStatistics().used_heap_size).toBeLessThan(grown - 16 * 1024 * 1024);
});
