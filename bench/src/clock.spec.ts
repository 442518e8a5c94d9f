import { Worker } from 'node:worker_threads';
import { nowMs } from './clock';

describe('the latency clock', () => {
  it('reads the same in a worker thread as in the main thread, to well under a millisecond', async () => {
    // The worker computes what clock.ts computes: its own origin plus its own now().
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.on('message', () => parentPort.postMessage(performance.timeOrigin + performance.now()));`,
      { eval: true },
    );
    try {
      await new Promise((resolve) => worker.once('online', resolve));
      for (let i = 0; i < 5; i++) {
        const before = nowMs();
        const theirs = await new Promise<number>((resolve) => {
          worker.once('message', resolve);
          worker.postMessage('now');
        });
        const after = nowMs();
        expect(theirs).toBeGreaterThanOrEqual(before - 0.5);
        expect(theirs).toBeLessThanOrEqual(after + 0.5);
      }
    } finally {
      await worker.terminate();
    }
  });
});
