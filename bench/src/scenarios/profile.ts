import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeProfile, type CpuProfile, type ProfileSummary } from '../report/cpu-profile';
import type { StartOptions } from '../servers';

/** Marks the part of the run worth profiling, on the profile's clock (monotonic µs, as process.hrtime). */
export class ProfileWindow {
  range?: [number, number];
  private from = 0;
  readonly start = (): void => {
    this.from = Number(process.hrtime.bigint() / 1000n);
  };
  readonly end = (): void => {
    this.range = [this.from, Number(process.hrtime.bigint() / 1000n)];
  };
}

/**
 * Runs `run` against a server started under `node --cpu-prof`; `run` must
 * stop the server (the profile is written at exit) and mark its measurement
 * window. Summarizes the samples taken inside that window.
 */
export async function underProfiler<T>(run: (start: StartOptions, window: ProfileWindow) => Promise<T>): Promise<{ result: T; summary: ProfileSummary }> {
  const dir = mkdtempSync(join(tmpdir(), 'chatstream-prof-'));
  try {
    const window = new ProfileWindow();
    const result = await run({ nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] }, window);
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('the server wrote no CPU profile (did it exit cleanly on SIGTERM?)');
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    return { result, summary: summarizeProfile(profile, window.range) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
