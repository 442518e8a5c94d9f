import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { ServerSpec } from '../servers';
import { Workload } from './messages';
import { measure, type Measured, type SessionOptions } from './session';

/** System calls counted per message: where the kernel time of storage goes. */
const SYSCALLS = ['fsync', 'fdatasync', 'pwrite64', 'writev', 'write', 'read'] as const;

export interface SyscallResult {
  step: Measured;
  /** Messages sent in the measurement window. */
  messages: number;
  perMessage: Record<string, number>;
}

/** Whether `perf stat` can count syscall tracepoints here (root, tracefs). */
export function perfAvailable(): boolean {
  const probe = spawnSync('perf', ['stat', '-e', 'syscalls:sys_enter_fsync', '--', 'true'], { encoding: 'utf8' });
  return probe.status === 0 && /sys_enter_fsync/.test(probe.stderr ?? '');
}

export function parsePerfCounts(output: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of output.split('\n')) {
    const match = /^\s*([\d,.]+)\s+syscalls:sys_enter_(\w+)/.exec(line);
    if (match) counts[match[2]] = Number(match[1].replace(/\D/g, ''));
  }
  return counts;
}

/**
 * One load step with `perf stat` counting the server's system calls inside
 * the measurement window (after one warm-up step), per message sent.
 */
export async function countSyscalls(
  spec: ServerSpec,
  session: SessionOptions,
  step: { rate: number; warmupMs: number; durationMs: number; drainMs: number; size: number },
): Promise<SyscallResult> {
  const work = new Workload(spec, { session, step });
  try {
    const opened = await work.session();
    await work.step(step.rate);
    let output = '';
    let perfDone: Promise<unknown> = Promise.resolve();
    let perf: ChildProcess | undefined;
    const result = await measure(opened, {
      ...step,
      hooks: {
        start: () => {
          const events = SYSCALLS.map((name) => `syscalls:sys_enter_${name}`).join(',');
          perf = spawn('perf', ['stat', '-e', events, '-p', String(opened.server.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
          perf.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
          perfDone = new Promise((resolve) => perf?.once('exit', resolve));
        },
        end: () => perf?.kill('SIGINT'),
      },
    });
    await perfDone;
    const messages = (step.rate * step.durationMs) / 1000;
    const counts = parsePerfCounts(output);
    return { step: result, messages, perMessage: Object.fromEntries(SYSCALLS.map((name) => [name, (counts[name] ?? 0) / messages])) };
  } finally {
    await work.close();
  }
}
