import { parsePerfCounts } from './syscalls';

describe('perf stat output', () => {
  it('reads the count of each syscall tracepoint, thousands separators and all', () => {
    const output = `
 Performance counter stats for process id '4242':

             4,269      syscalls:sys_enter_fsync
                 0      syscalls:sys_enter_fdatasync
            67,278      syscalls:sys_enter_pwrite64

       4.003012345 seconds time elapsed
`;
    expect(parsePerfCounts(output)).toEqual({ fsync: 4269, fdatasync: 0, pwrite64: 67278 });
  });
});
