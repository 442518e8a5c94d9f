import { nowMs, sleep } from '../clock';
import { LoadGenerator, type ConnectResult, type StepResult } from '../generator/load-generator';
import type { Layout } from '../generator/messages';
import { cpuMs, systemCpu, waitForQuietMachine, type ProcWindow } from '../proc';
import { createRooms, startServer, type RunningServer, type ServerSpec, type StartOptions } from '../servers';

/** The p99 bound of a sustainable rate, ms. */
export const P99_BOUND_MS = 50;

export interface SessionOptions {
  clients: number;
  /** Rooms (fan-out) or private pairs. */
  layout: 'rooms' | 'pairs' | 'none';
  rooms?: number;
  threads: number;
  prefix?: string;
  start?: StartOptions;
  localAddresses?: string[];
  concurrency?: number;
}

/** A server with its clients connected (and joined): ready for load steps. */
export interface Session {
  server: RunningServer;
  gen: LoadGenerator;
  connect: ConnectResult;
  layout: Layout;
}

export async function openSession(spec: ServerSpec, options: SessionOptions): Promise<Session> {
  const server = await startServer(spec, options.start);
  const gen = LoadGenerator.start(options.threads);
  try {
    let layout: Layout = { kind: options.layout === 'pairs' ? 'pairs' : 'none' };
    if (options.layout === 'rooms') {
      const names = Array.from({ length: options.rooms ?? 1 }, (_, i) => `bench room ${i}`);
      layout = { kind: 'rooms', roomIds: await createRooms(server.url, names) };
    }
    const connect = await gen.connect({
      target: server.target,
      clients: options.clients,
      layout,
      prefix: options.prefix ?? 'u',
      localAddresses: options.localAddresses,
      concurrency: options.concurrency,
    });
    if (connect.failed > 0) throw new Error(`${spec.label}: ${connect.failed} of ${options.clients} connections failed: ${connect.errors.join('; ')}`);
    const joined = await gen.join();
    if (joined.failed > 0) throw new Error(`${spec.label}: ${joined.failed} joins failed: ${joined.errors.join('; ')}`);
    return { server, gen, connect, layout };
  } catch (error) {
    await gen.stop();
    await server.stop();
    throw error;
  }
}

export async function closeSession(session: Session): Promise<void> {
  await session.gen.close().catch(() => undefined);
  await session.gen.stop();
  await session.server.stop();
}

/** A load step with what /proc says about the server and the rest of the machine. */
export interface Measured extends StepResult {
  server: ProcWindow;
  /** Server CPU per delivered frame, µs: the figure that does not depend on the generator's speed. */
  cpuUsPerFrame: number;
  /** CPU of everything else on the machine (other jobs), % of one core. */
  otherCpuPct: number;
  pass: boolean;
  /** Earlier attempts of this step thrown away because other jobs loaded the machine. */
  noisyRetries?: number;
}

export interface MeasureOptions {
  rate: number;
  warmupMs: number;
  durationMs: number;
  size: number;
  drainMs: number;
  /** Extra callbacks at the opening and closing of the measurement window. */
  hooks?: { start?: () => void; end?: () => void };
}

/** How long a measurement may wait for other jobs on the machine to calm down (0: do not wait). */
let quietWaitMs = 0;
export function setQuietWait(ms: number): void {
  quietWaitMs = ms;
}

/** Waits for the server to finish its backlog, then (briefly) for the rest of the machine to calm down. */
export async function settle(pid: number): Promise<void> {
  await waitQuiet(pid);
  if (quietWaitMs > 0) await waitForQuietMachine([pid], quietWaitMs);
}

export async function measure(session: Session, options: MeasureOptions): Promise<Measured> {
  await settle(session.server.pid);
  const { proc } = session.server;
  let machineStart = systemCpu();
  let machineBusy = 0;
  let wallStart = 0;
  let wall = 0;
  const { hooks, ...load } = options;
  const step = await session.gen.step({
    ...load,
    onWindowStart: () => {
      proc.begin();
      machineStart = systemCpu();
      wallStart = nowMs();
      hooks?.start?.();
    },
    onWindowEnd: () => {
      proc.end();
      machineBusy = systemCpu().busyMs - machineStart.busyMs;
      wall = nowMs() - wallStart;
      hooks?.end?.();
    },
  });
  const server = proc.window as ProcWindow;
  const machinePct = wall > 0 ? (machineBusy / wall) * 100 : 0;
  return {
    ...step,
    server,
    cpuUsPerFrame: step.windowFrames > 0 ? (server.cpuMs * 1000) / step.windowFrames : 0,
    otherCpuPct: Math.max(0, machinePct - server.cpuPct - step.generatorCpuPct),
    pass: passes(step),
  };
}

/** Sustainable: nothing lost, duplicated or refused, nobody dropped, p99 within bound. */
export function passes(step: StepResult): boolean {
  const d = step.delivery;
  return (
    d.expected > 0 &&
    d.lost === 0 &&
    d.duplicates === 0 &&
    d.unexpected === 0 &&
    step.errorFrames === 0 &&
    step.disconnected === 0 &&
    step.skipped === 0 &&
    step.latency.p99 <= P99_BOUND_MS
  );
}

/** Healthy enough for another step: every client still connected. */
export function healthy(step: StepResult): boolean {
  return step.disconnected === 0 && step.skipped === 0;
}

/** Waits (at most `maxMs`) until the server is nearly idle: the previous step's backlog is gone. */
export async function waitQuiet(pid: number, maxMs = 5000, belowPct = 15): Promise<void> {
  const deadline = nowMs() + maxMs;
  let before = cpuMs(pid);
  while (nowMs() < deadline) {
    await sleep(200);
    const after = cpuMs(pid);
    if (((after - before) / 200) * 100 < belowPct) return;
    before = after;
  }
}
