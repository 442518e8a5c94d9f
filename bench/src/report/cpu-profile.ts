/**
 * Summarizes a V8 `.cpuprofile` (what `node --cpu-prof` writes): self time
 * per function and per package, optionally only for samples inside a time
 * window (µs, the profile's monotonic clock: the same clock as
 * `process.hrtime`, so the coordinator can say which samples were under load).
 */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  where: string;
  selfMs: number;
  pct: number;
}

export interface ProfileSummary {
  totalMs: number;
  samples: number;
  /** True when the window was applied (it overlapped the profile). */
  windowed: boolean;
  top: ProfileEntry[];
  byPackage: ProfileEntry[];
}

/** Where a function lives, short: `ws/lib/sender.js:42`, `node:internal/...`, `backend: chat/connection.js:80`. */
export function location(url: string, line: number): string {
  if (!url) return '';
  const shown = line >= 0 ? `:${line + 1}` : '';
  // The server may run from a snapshot of its build (under node_modules/.cache): name it by its place in the build.
  const backend = url.indexOf('backend/dist/');
  if (backend >= 0) return `backend: ${url.slice(backend + 'backend/dist/'.length)}${shown}`;
  const bench = url.indexOf('bench/dist/');
  if (bench >= 0) return `bench: ${url.slice(bench + 'bench/dist/'.length)}${shown}`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return `${url.slice(modules + 'node_modules/'.length)}${shown}`;
  const libs = url.indexOf('libs/');
  if (libs >= 0) return `${url.slice(libs)}${shown}`;
  return `${url.replace(/^file:\/\//, '')}${shown}`;
}

/** The package (or part) a function belongs to. */
export function packageOf(name: string, url: string): string {
  if (!url) return name.startsWith('(') ? name : '(native: V8 builtins, C++)';
  if (url.includes('backend/dist/')) return 'chatstream (backend)';
  if (url.includes('bench/dist/')) return 'bench baseline';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node (runtime)';
  if (url.includes('libs/')) return 'chatstream (libs)';
  return url;
}

export function summarizeProfile(profile: CpuProfile, windowUs?: [number, number], top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  let t = profile.startTime;
  const windowed = !!windowUs && windowUs[0] < profile.endTime && windowUs[1] > profile.startTime;
  let samples = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (windowed && windowUs && (t < windowUs[0] || t > windowUs[1])) continue;
    // A sample's time is the interval that ended at it.
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + delta);
    samples++;
  }
  const functions = new Map<string, ProfileEntry>();
  const packages = new Map<string, ProfileEntry>();
  let totalUs = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const where = location(url, lineNumber);
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, selfMs: 0, pct: 0 };
    entry.selfMs += us / 1000;
    functions.set(key, entry);
    const pkg = packageOf(name, url);
    const group = packages.get(pkg) ?? { name: pkg, where: '', selfMs: 0, pct: 0 };
    group.selfMs += us / 1000;
    packages.set(pkg, group);
  }
  const rank = (entries: Iterable<ProfileEntry>, n: number): ProfileEntry[] =>
    [...entries]
      .map((e) => ({ ...e, selfMs: Math.round(e.selfMs * 10) / 10, pct: totalUs ? Math.round((e.selfMs * 1000 * 1000) / totalUs) / 10 : 0 }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, n);
  return { totalMs: Math.round(totalUs / 100) / 10, samples, windowed, top: rank(functions.values(), top), byPackage: rank(packages.values(), 15) };
}
