import { PARALLEL_HASHES, PasswordHasher } from './passwords';

describe('PasswordHasher', () => {
  it('stores Argon2id with OWASP\'s parameters and verifies only the right password', async () => {
    const sut = new PasswordHasher();
    const stored = await sut.hash('correct horse');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored).not.toContain('correct horse');
    expect(await sut.verify(stored, 'correct horse')).toBe(true);
    expect(await sut.verify(stored, 'Correct horse')).toBe(false);
  });

  it('answers false, not an error, for a user without a password or with a broken hash', async () => {
    const sut = new PasswordHasher();
    expect(await sut.verify(null, 'anything')).toBe(false);
    expect(await sut.verify('not a hash', 'anything')).toBe(false);
  });

  it('completes every hash of a burst bigger than PARALLEL_HASHES (the ones waiting for a turn too), each with its own salt', async () => {
    const sut = new PasswordHasher();
    const results = await Promise.all(Array.from({ length: PARALLEL_HASHES + 2 }, (_, i) => sut.hash(`password-${i}`)));
    expect(new Set(results).size).toBe(PARALLEL_HASHES + 2);
  });
});
