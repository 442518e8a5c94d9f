import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { HASH_THREAD_NICE } from './hash-threads';
import { PARALLEL_HASHES, PasswordHasher } from './passwords';

/** The nice value of each thread of this process, by thread id (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceness(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
    const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
    nice.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19 - 3]));
  }
  return nice;
}

describe('PasswordHasher', () => {
  let sut: PasswordHasher;
  beforeEach(() => (sut = new PasswordHasher()));
  afterEach(() => sut.onModuleDestroy());

  it('stores Argon2id with OWASP\'s parameters and verifies only the right password', async () => {
    const stored = await sut.hash('correct horse');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored).not.toContain('correct horse');
    expect(await sut.verify(stored, 'correct horse')).toBe(true);
    expect(await sut.verify(stored, 'Correct horse')).toBe(false);
  });

  it('answers false, not an error, for a user without a password or with a broken hash', async () => {
    expect(await sut.verify(null, 'anything')).toBe(false);
    expect(await sut.verify('not a hash', 'anything')).toBe(false);
  });

  it('completes every hash of a burst bigger than PARALLEL_HASHES (the ones waiting for a turn too), each with its own salt', async () => {
    const results = await Promise.all(Array.from({ length: PARALLEL_HASHES + 2 }, (_, i) => sut.hash(`password-${i}`)));
    expect(new Set(results).size).toBe(PARALLEL_HASHES + 2);
    expect(await sut.verify(results[PARALLEL_HASHES + 1], `password-${PARALLEL_HASHES + 1}`)).toBe(true);
  });

  (existsSync('/proc/thread-self') ? it : it.skip)('hashes on threads of the lowest priority and leaves the event loop\'s thread as it was', async () => {
    const before = threadNiceness();
    await sut.hash('correct horse');
    const after = threadNiceness();
    // New threads at the lowest priority: the hash threads (a Worker's own helper threads are not reniced and not counted).
    const lowered = [...after].filter(([tid, nice]) => !before.has(tid) && nice === HASH_THREAD_NICE);
    expect(lowered.length).toBeGreaterThanOrEqual(1);
    expect(lowered.length).toBeLessThanOrEqual(PARALLEL_HASHES);
    expect(after.get(process.pid)).toBe(before.get(process.pid));
    expect([...before].every(([tid, nice]) => after.get(tid) === undefined || after.get(tid) === nice)).toBe(true);
  });
});
