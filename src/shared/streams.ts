/**
 * Writing to a stream at the pace it can take: what every export does with its destination.
 */
import type { Writable } from 'node:stream';

/**
 * Waits for `out` to drain after a `write` returned false; rejects with its error if it fails,
 * or with `closed()` if it closes first, so an export never waits on a destination that is gone.
 */
export function drained(out: Writable, closed: () => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error | null) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(out.errored ?? closed());
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
  });
}
