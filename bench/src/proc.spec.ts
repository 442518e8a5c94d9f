import { parseStatCpu, parseStatCpuMs, parseStatusMemory, parseSystemCpu } from './proc';

describe('/proc parsing', () => {
  it('reads utime + stime even when the command name has spaces and parentheses', () => {
    const stat = '4242 (node (main) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 11 0 1000 1000000 2000 18446744073709551615';
    expect(parseStatCpuMs(stat, 100)).toBe(3000);
    expect(parseStatCpu(stat, 100)).toEqual({ userMs: 2500, systemMs: 500 });
  });

  it('reads VmRSS and VmHWM in kB', () => {
    const status = 'Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
    expect(parseStatusMemory(status)).toEqual({ rssKB: 102400, hwmKB: 204800 });
  });

  it('reads the machine busy and total time, idle and iowait not busy', () => {
    const stat = 'cpu  100 0 50 800 30 0 20 0 0 0\ncpu0 1 2 3\n';
    expect(parseSystemCpu(stat, 100)).toEqual({ busyMs: 1700, totalMs: 10000 });
  });
});
