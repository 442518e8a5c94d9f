import { location, packageOf, summarizeProfile, type CpuProfile } from './cpu-profile';

const node = (id: number, functionName: string, url: string, lineNumber = 0) => ({ id, callFrame: { functionName, url, lineNumber } });

/** Samples every 100 µs from t = 1000: A, A, B, C, A, B (in that order). */
const profile: CpuProfile = {
  nodes: [
    node(1, '(root)', ''),
    node(2, 'sendFrame', 'file:///app/node_modules/ws/lib/sender.js', 41),
    node(3, 'validate', 'file:///app/node_modules/class-validator/cjs/index.js', 9),
    node(4, 'send', 'file:///app/backend/dist/chat/connection.js', 79),
  ],
  startTime: 1000,
  endTime: 1600,
  samples: [2, 2, 3, 4, 2, 3],
  timeDeltas: [100, 100, 100, 100, 100, 100],
};

describe('CPU profile summary', () => {
  it('adds up self time per function and per package, largest first', () => {
    const sut = summarizeProfile(profile);
    expect(sut.totalMs).toBe(0.6);
    expect(sut.top.map((e) => [e.name, e.pct])).toEqual([
      ['sendFrame', 50],
      ['validate', 33.3],
      ['send', 16.7],
    ]);
    expect(sut.byPackage.map((e) => e.name)).toEqual(['ws', 'class-validator', 'chatstream (backend)']);
  });

  it('keeps only samples inside the window when it overlaps the profile', () => {
    const sut = summarizeProfile(profile, [1250, 1450]);
    expect(sut.windowed).toBe(true);
    expect(sut.samples).toBe(2);
    expect(sut.top.map((e) => e.name).sort()).toEqual(['send', 'validate']);
    expect(summarizeProfile(profile, [5000, 6000]).windowed).toBe(false);
  });

  it('names places and packages briefly', () => {
    expect(location('file:///app/node_modules/ws/lib/sender.js', 41)).toBe('ws/lib/sender.js:42');
    expect(location('file:///app/backend/dist/chat/connection.js', 79)).toBe('backend: chat/connection.js:80');
    // A snapshot of the build under node_modules/.cache is still the backend.
    expect(location('file:///app/node_modules/.cache/chatstream-bench/1/backend/dist/main.js', 0)).toBe('backend: main.js:1');
    expect(packageOf('send', 'file:///app/node_modules/.cache/chatstream-bench/1/backend/dist/chat/connection.js')).toBe('chatstream (backend)');
    expect(packageOf('onFrame', 'file:///app/node_modules/.cache/chatstream-bench/1/bench/dist/baselines/ws-server.js')).toBe('bench baseline');
    expect(packageOf('x', 'file:///a/node_modules/@nestjs/core/router.js')).toBe('@nestjs/core');
    expect(packageOf('writeUtf8String', '')).toBe('(native: V8 builtins, C++)');
    expect(packageOf('(garbage collector)', '')).toBe('(garbage collector)');
    expect(packageOf('emit', 'node:events')).toBe('node (runtime)');
  });
});
