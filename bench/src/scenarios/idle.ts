import { sleep } from '../clock';
import { LoadGenerator, type ConnectResult } from '../generator/load-generator';
import { memory } from '../proc';
import { startServer, type ServerSpec } from '../servers';

export interface IdleResult {
  connections: number;
  connect: ConnectResult;
  rssBeforeKB: number;
  rssAfterKB: number;
  /** (RSS with the connections - RSS without) / connections. */
  perConnectionKB: number;
}

export interface IdleOptions {
  connections: number;
  threads: number;
  localAddresses: string[];
  settleMs: number;
}

/** Opens `connections` idle level-2 connections (no rooms) and reads the server's RSS before and after. */
export async function idleMemory(spec: ServerSpec, options: IdleOptions): Promise<IdleResult> {
  const server = await startServer(spec);
  const gen = LoadGenerator.start(options.threads);
  try {
    await sleep(options.settleMs);
    const rssBeforeKB = await steadyRss(server.pid);
    const connect = await gen.connectIdle({ target: server.target, clients: options.connections, prefix: 'idle', localAddresses: options.localAddresses, concurrency: 512 });
    await sleep(options.settleMs);
    const rssAfterKB = await steadyRss(server.pid);
    return {
      connections: connect.ok,
      connect,
      rssBeforeKB,
      rssAfterKB,
      perConnectionKB: connect.ok > 0 ? (rssAfterKB - rssBeforeKB) / connect.ok : 0,
    };
  } finally {
    await gen.close().catch(() => undefined);
    await gen.stop();
    await server.stop();
  }
}

/** The median of a few RSS readings a moment apart. */
async function steadyRss(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(memory(pid).rssKB);
    await sleep(200);
  }
  return readings.sort((a, b) => a - b)[2];
}
