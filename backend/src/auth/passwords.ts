import { Injectable } from '@nestjs/common';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { RateLimitedException } from '../common/rate-limited.exception';

/**
 * Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane). `hash` and
 * `verify` run on libuv's thread pool, never on the event loop.
 */
export const ARGON2_OPTIONS: Options = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * Hashes at once: one core is always left to the event loop, so a burst of
 * sign-ins waits for each other rather than slowing message delivery (a hash
 * is ~50 ms of a core; 20 sign-ins/s would otherwise take a whole core of two).
 */
export const PARALLEL_HASHES = Math.max(1, availableParallelism() - 1);
/** Sign-ins waiting for a hash beyond this are refused (429, retry in a second) instead of queueing without bound. */
export const MAX_WAITING_HASHES = 256;

@Injectable()
export class PasswordHasher {
  /** Verified when a user has no password, so an unknown name costs what a wrong password costs. */
  private dummy?: Promise<string>;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  hash(password: string): Promise<string> {
    return this.inTurn(() => hash(password, ARGON2_OPTIONS));
  }

  /** True when `password` is the one of `passwordHash`; with no hash, false after the same work. */
  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    if (passwordHash === null) {
      this.dummy ??= hash(randomBytes(16).toString('base64url'), ARGON2_OPTIONS);
      const dummy = await this.dummy;
      await this.inTurn(() => verify(dummy, password).catch(() => false));
      return false;
    }
    // A malformed stored hash is a wrong password, not a 500.
    return this.inTurn(() => verify(passwordHash, password).catch(() => false));
  }

  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= PARALLEL_HASHES) {
      if (this.waiting.length >= MAX_WAITING_HASHES) throw new RateLimitedException(1000, 'too many sign-ins at once: retry in 1 s');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
