import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on Linux). */
let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * utime + stime of a /proc/<pid>/stat line, in ms. Fields are counted after
 * the command name's closing parenthesis, since the name may hold spaces.
 */
export function parseStatCpuMs(stat: string, ticks = clockTicks()): number {
  const { userMs, systemMs } = parseStatCpu(stat, ticks);
  return userMs + systemMs;
}

/** utime and stime apart: system time is the kernel's work for the process (socket writes, fsync). */
export function parseStatCpu(stat: string, ticks = clockTicks()): { userMs: number; systemMs: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state is field 3 of proc(5), utime 14, stime 15.
  return { userMs: (Number(fields[14 - 3]) * 1000) / ticks, systemMs: (Number(fields[15 - 3]) * 1000) / ticks };
}

export interface ProcMemory {
  rssKB: number;
  /** Peak RSS. */
  hwmKB: number;
}

export function parseStatusMemory(status: string): ProcMemory {
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKB: field('VmRSS'), hwmKB: field('VmHWM') };
}

export function cpuMs(pid: number): number {
  return parseStatCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

function cpuSplit(pid: number): { userMs: number; systemMs: number } {
  return parseStatCpu(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

export function memory(pid: number): ProcMemory {
  return parseStatusMemory(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

export interface ProcWindow {
  wallMs: number;
  cpuMs: number;
  /** Kernel part of cpuMs. */
  systemMs: number;
  /** CPU used, % of one core. */
  cpuPct: number;
  rssKB: number;
  hwmKB: number;
}

/** CPU and memory of a process between `begin()` and `end()`. */
export class ProcWatch {
  private start?: { wall: number; userMs: number; systemMs: number };
  private last?: ProcWindow;

  constructor(readonly pid: number) {}

  begin(): void {
    this.start = { wall: performance.now(), ...cpuSplit(this.pid) };
  }

  end(): ProcWindow {
    const start = this.start ?? { wall: performance.now(), ...cpuSplit(this.pid) };
    const wallMs = performance.now() - start.wall;
    const now = cpuSplit(this.pid);
    const systemMs = now.systemMs - start.systemMs;
    const cpu = now.userMs - start.userMs + systemMs;
    const mem = memory(this.pid);
    this.last = { wallMs, cpuMs: cpu, systemMs, cpuPct: wallMs > 0 ? (cpu / wallMs) * 100 : 0, ...mem };
    return this.last;
  }

  /** The last window measured. */
  get window(): ProcWindow | undefined {
    return this.last;
  }
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  loadAverage: string;
}

export function machine(): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  let memKB = totalmem() / 1024;
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
    memKB = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? memKB);
  } catch {
    // not Linux: os module values
  }
  let loadAverage = '';
  try {
    loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    loadAverage = '';
  }
  return { cpuModel, cores: cpus().length, memoryGiB: Math.round((memKB / 1024 / 1024) * 10) / 10, kernel: release(), loadAverage };
}

/** The hard limit of open files; connections beyond it cannot be opened by one process. */
export function openFilesLimit(): number {
  try {
    return Number(/^Max open files\s+\d+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 1024);
  } catch {
    return 1024;
  }
}

/** Busy and total CPU time of the whole machine, ms summed over cores (first line of /proc/stat). */
export function parseSystemCpu(stat: string, ticks = clockTicks()): { busyMs: number; totalMs: number } {
  const fields = stat.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = fields[3] + fields[4];
  return { busyMs: ((total - idle) * 1000) / ticks, totalMs: (total * 1000) / ticks };
}

export function systemCpu(): { busyMs: number; totalMs: number } {
  return parseSystemCpu(readFileSync('/proc/stat', 'utf8'));
}

/**
 * Starts measuring the CPU that other jobs on the machine use: everything
 * busy minus this process (generator threads included) and the processes in
 * `ours` (the server under test). The returned function gives it since the
 * start, in % of one core.
 */
export function otherLoadSince(ours: number[]): () => number {
  const machine0 = systemCpu().busyMs;
  const self0 = process.cpuUsage();
  const ours0 = ours.map((pid) => safeCpuMs(pid));
  const started = Date.now();
  return () => {
    const machineMs = systemCpu().busyMs - machine0;
    const self = process.cpuUsage(self0);
    const selfMs = (self.user + self.system) / 1000;
    const oursMs = ours.reduce((sum, pid, i) => sum + (safeCpuMs(pid) - ours0[i]), 0);
    return Math.max(0, ((machineMs - selfMs - oursMs) / Math.max(1, Date.now() - started)) * 100);
  };
}

/** CPU used by other jobs on the machine over the next `sampleMs`, % of one core (see otherLoadSince). */
export async function otherLoad(ours: number[], sampleMs = 500): Promise<number> {
  const load = otherLoadSince(ours);
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  return load();
}

function safeCpuMs(pid: number): number {
  try {
    return cpuMs(pid);
  } catch {
    return 0;
  }
}

/**
 * Waits until other jobs use less than `belowPct` of one core (at most
 * `maxWaitMs`): on a shared machine a measurement should not start in the
 * middle of someone else's build. Returns the last reading.
 */
export async function waitForQuietMachine(ours: number[], maxWaitMs: number, belowPct = 35): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let load = await otherLoad(ours);
  while (load >= belowPct && Date.now() < deadline) load = await otherLoad(ours);
  return load;
}
