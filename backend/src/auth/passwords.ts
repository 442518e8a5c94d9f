import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Algorithm, Options } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { RateLimitedException } from '../common/rate-limited.exception';
import { HashThreads, type HashJob } from './hash-threads';

/** Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane). */
export const ARGON2_OPTIONS: Options = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * Hashes at once, each on its own worker thread at the lowest scheduling
 * priority (see hash-threads.ts): a hash is tens of ms of a core, and a burst
 * of sign-ins must wait for each other rather than for the CPU the event
 * loop needs to deliver messages. One core is left to the event loop.
 */
export const PARALLEL_HASHES = Math.max(1, availableParallelism() - 1);
/** Sign-ins waiting for a hash beyond this are refused (429, retry in a second) instead of queueing without bound. */
export const MAX_WAITING_HASHES = 256;

@Injectable()
export class PasswordHasher implements OnModuleDestroy {
  /** Verified when a user has no password, so an unknown name costs what a wrong password costs. */
  private dummy?: Promise<string>;
  private readonly threads = new HashThreads(PARALLEL_HASHES, ARGON2_OPTIONS);

  async hash(password: string): Promise<string> {
    return (await this.inTurn({ op: 'hash', password })) as string;
  }

  /** True when `password` is the one of `passwordHash`; with no hash, false after the same work. */
  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    if (passwordHash === null) {
      this.dummy ??= this.hash(randomBytes(16).toString('base64url')).catch((error: unknown) => {
        this.dummy = undefined;
        throw error;
      });
      await this.verify(await this.dummy, password);
      return false;
    }
    // A malformed stored hash is a wrong password, not a 500.
    return this.inTurn({ op: 'verify', hash: passwordHash, password }).then(
      (ok) => ok === true,
      (error: unknown) => {
        if (error instanceof RateLimitedException) throw error;
        return false;
      },
    );
  }

  onModuleDestroy(): Promise<void> {
    return this.threads.close();
  }

  private inTurn(job: HashJob): Promise<string | boolean> {
    if (!this.threads.hasFreeThread && this.threads.waiting >= MAX_WAITING_HASHES) {
      return Promise.reject(new RateLimitedException(1000, 'too many sign-ins at once: retry in 1 s'));
    }
    return this.threads.run(job);
  }
}
