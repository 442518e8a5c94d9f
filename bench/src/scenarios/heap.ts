import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../clock';
import { LoadGenerator } from '../generator/load-generator';
import { heapGrowth, tallyHeap, type HeapGrowth, type HeapSnapshot, type HeapTally } from '../report/heap-snapshot';
import { startServer, type ServerSpec } from '../servers';

export interface HeapResult {
  connections: number;
  heapBeforeMB: number;
  heapAfterMB: number;
  /** JS heap per idle connection, bytes. */
  bytesPerConnection: number;
  kinds: HeapGrowth[];
}

/**
 * What one idle connection keeps alive in the server's JS heap: a heap
 * snapshot before and after opening `connections` idle connections
 * (`node --heapsnapshot-signal=SIGUSR2`), subtracted, per constructor.
 */
export async function idleHeap(spec: ServerSpec, connections: number, threads: number): Promise<HeapResult> {
  const dir = mkdtempSync(join(tmpdir(), 'chatstream-heap-'));
  const server = await startServer(spec, { nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`] });
  const gen = LoadGenerator.start(threads);
  try {
    await sleep(1000);
    const before = await snapshot(server.pid, dir);
    const connect = await gen.connect({ target: server.target, clients: connections, layout: { kind: 'none' }, prefix: 'heap' });
    await sleep(1500);
    const after = await snapshot(server.pid, dir);
    const growth = heapGrowth(before, after, connect.ok);
    return {
      connections: connect.ok,
      heapBeforeMB: before.totalBytes / 1024 / 1024,
      heapAfterMB: after.totalBytes / 1024 / 1024,
      bytesPerConnection: growth.bytesPerUnit,
      kinds: growth.kinds,
    };
  } finally {
    await gen.close().catch(() => undefined);
    await gen.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Asks the server for a heap snapshot and reads it once it is completely written. */
async function snapshot(pid: number, dir: string): Promise<HeapTally> {
  const seen = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 240; i++) {
    await sleep(250);
    const file = readdirSync(dir).find((name) => !seen.has(name) && name.endsWith('.heapsnapshot'));
    if (!file) continue;
    // Written in one go by the server's main thread: parse until it is complete JSON.
    for (let attempt = 0; attempt < 120; attempt++) {
      try {
        return tallyHeap(JSON.parse(readFileSync(join(dir, file), 'utf8')) as HeapSnapshot);
      } catch {
        await sleep(250);
      }
    }
  }
  throw new Error('no heap snapshot written in time');
}
