import { sleep } from '../clock';
import { LoadGenerator, type ConnectResult } from '../generator/load-generator';
import { startServer, type ServerSpec, type StartOptions } from '../servers';
import { settle, waitQuiet } from './session';

export interface StormResult {
  connect: ConnectResult;
  serverCpuMs: number;
  /** Server CPU per accepted connection, µs. */
  cpuUsPerConnect: number;
}

export interface StormOptions {
  connections: number;
  /** Connections in flight at once (handshakes not yet welcomed). */
  concurrency: number;
  threads: number;
  /**
   * Source addresses to spread connections over; default none. A storm fits
   * in one address's ephemeral ports, and a connection bound to a source
   * address before it connects makes the kernel look for a port that none
   * of that address's sockets holds, TIME_WAIT ones included: after a few
   * scenarios (50,000 of them) connects stalled for ~500 ms each and a storm
   * ran at 500–2,400/s instead of 5,000–6,800/s.
   */
  localAddresses?: string[];
  /** Connections opened and closed first, so the storm meets a warmed-up server. */
  warmup: number;
  start?: StartOptions;
  /** Called when the storm begins and when it is over (CPU profile window). */
  hooks?: { start?: () => void; end?: () => void };
}

/** As many new users as possible connect at once; connects/s from the first attempt to the last welcome frame. */
export async function connectStorm(spec: ServerSpec, options: StormOptions): Promise<StormResult> {
  const server = await startServer(spec, options.start);
  let gen = LoadGenerator.start(options.threads);
  try {
    if (options.warmup > 0) {
      await gen.connect({ target: server.target, clients: options.warmup, layout: { kind: 'none' }, prefix: 'warm', concurrency: 64, rawHandshake: true });
      await gen.close();
      await gen.stop();
      gen = LoadGenerator.start(options.threads);
      await sleep(500);
    }
    await settle(server.pid);
    options.hooks?.start?.();
    server.proc.begin();
    const connect = await gen.connectIdle({
      target: server.target,
      clients: options.connections,
      prefix: 'storm',
      concurrency: options.concurrency,
      localAddresses: options.localAddresses,
      rawHandshake: true,
    });
    // Work the server does after its welcome frame (storing the new user) belongs to the connect too.
    await waitQuiet(server.pid, 3000);
    const window = server.proc.end();
    options.hooks?.end?.();
    return { connect, serverCpuMs: window.cpuMs, cpuUsPerConnect: connect.ok > 0 ? (window.cpuMs * 1000) / connect.ok : 0 };
  } finally {
    await gen.close().catch(() => undefined);
    await gen.stop();
    await server.stop();
  }
}
