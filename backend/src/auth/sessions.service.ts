import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Cluster } from '../cluster/cluster';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { FanoutService } from '../fanout/fanout.service';
import type { UserRecord } from '../users/users.repository';
import type { AuthUser } from './auth-user';
import { SessionRecord, SessionsRepository } from './sessions.repository';

/** last_used_at is written at most this often per session: sliding expiry without a write per request. */
export const TOUCH_EVERY_MS = 5 * 60_000;
const CACHE_LIMIT = 50_000;
const DAY_MS = 24 * 60 * 60_000;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

interface Cached {
  user: AuthUser;
  lastUsedAt: number;
  checkedAt: number;
}

/**
 * Sessions: opaque tokens (32 random bytes, base64url) of which storage
 * keeps only a SHA-256; validation from a short-lived cache; sliding expiry
 * that writes at most once per TOUCH_EVERY_MS; ending a session reaches
 * every instance and closes its sockets with 4001.
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Sessions');
  /** token hash -> validated session. */
  private readonly cache = new Map<string, Cached>();
  /** Sessions ended a moment ago: a socket whose handshake raced the end is closed too. */
  private readonly recentlyEnded = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private lastSweep = 0;
  private lastSocketTouch = 0;

  constructor(
    private readonly repository: SessionsRepository,
    private readonly config: AppConfig,
    private readonly fanout: FanoutService,
    private readonly cluster: Cluster,
    private readonly clock: Clock,
  ) {}

  get ttlMs(): number {
    return this.config.sessionTtlDays * DAY_MS;
  }

  onModuleInit(): void {
    if (this.config.auth !== 'accounts') return;
    // Also how long a validated session is trusted from memory before storage is asked again.
    this.timer = setInterval(() => void this.checkSockets(), this.config.sessionRecheckMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** A new session for `user`; the token is returned once and never stored. */
  async create(user: UserRecord, userAgent: string | null): Promise<{ token: string; session: SessionRecord }> {
    const token = randomBytes(32).toString('base64url');
    const at = new Date(this.clock.now()).toISOString();
    const session: SessionRecord = { id: randomUUID(), tokenHash: hashToken(token), userId: user.id, createdAt: at, lastUsedAt: at, userAgent };
    await this.repository.create(session);
    return { token, session };
  }

  /**
   * The session's user, or undefined for a token that is unknown, ended or
   * expired. `touched` is true when this use moved the expiry (a cookie
   * then gets a fresh Max-Age).
   */
  async authenticate(token: string): Promise<{ user: AuthUser; touched: boolean } | undefined> {
    const tokenHash = hashToken(token);
    const now = this.clock.now();
    let entry = this.cache.get(tokenHash);
    if (!entry || now - entry.checkedAt > this.config.sessionRecheckMs) {
      const stored = await this.repository.findByTokenHash(tokenHash);
      if (!stored) {
        this.cache.delete(tokenHash);
        return undefined;
      }
      entry = {
        user: { id: stored.userId, username: stored.username, sessionId: stored.id },
        lastUsedAt: Date.parse(stored.lastUsedAt),
        checkedAt: now,
      };
      this.remember(tokenHash, entry);
    }
    if (now - entry.lastUsedAt > this.ttlMs) {
      this.cache.delete(tokenHash);
      this.repository.delete(entry.user.sessionId).catch((error: unknown) => this.logger.warn(`could not remove an expired session: ${String(error)}`));
      return undefined;
    }
    if (now - entry.lastUsedAt < TOUCH_EVERY_MS) return { user: entry.user, touched: false };
    entry.lastUsedAt = now;
    this.repository
      .touch([entry.user.sessionId], new Date(now).toISOString())
      .catch((error: unknown) => this.logger.warn(`could not record a session's use: ${String(error)}`));
    return { user: entry.user, touched: true };
  }

  list(userId: string): Promise<SessionRecord[]> {
    return this.repository.listForUser(userId);
  }

  /** Ends one session of `userId`; false when the user has no such session. */
  async end(sessionId: string, userId?: string): Promise<boolean> {
    if (!(await this.repository.delete(sessionId, userId))) return false;
    this.endEverywhere([sessionId]);
    return true;
  }

  /** Ends every session of a user (the operator's command line, a new password). */
  async endAll(userId: string): Promise<number> {
    const ids = await this.repository.deleteForUser(userId);
    this.endEverywhere(ids);
    return ids.length;
  }

  /** Sessions ended here: forget them, close their sockets, tell the other instances. */
  private endEverywhere(ids: string[]): void {
    for (const id of ids) {
      this.applyEnded(id);
      this.cluster.publish({ t: 'session_ended', session: id });
    }
  }

  /** A session ended (here or on another instance): its cached validation goes, its sockets close with 4001. */
  applyEnded(sessionId: string): void {
    for (const [hash, entry] of this.cache) if (entry.user.sessionId === sessionId) this.cache.delete(hash);
    this.recentlyEnded.set(sessionId, this.clock.now());
    this.fanout.endSession(sessionId);
  }

  /** True for a session that ended a moment ago (a handshake validated just before it ended). */
  wasEnded(sessionId: string): boolean {
    return this.recentlyEnded.has(sessionId);
  }

  private remember(tokenHash: string, entry: Cached): void {
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(tokenHash, entry);
  }

  /**
   * Every sessionRecheckMs: close sockets whose session is gone from storage
   * (ended by the command line while no cluster relay told us), record that
   * open sockets use their sessions, and drop expired sessions.
   */
  async checkSockets(): Promise<void> {
    const now = this.clock.now();
    for (const [id, at] of this.recentlyEnded) if (now - at > this.config.sessionRecheckMs) this.recentlyEnded.delete(id);
    try {
      const open = this.fanout.sessionIds();
      if (open.length > 0) {
        const existing = await this.repository.existing(open);
        for (const id of open) if (!existing.has(id)) this.applyEnded(id);
        if (now - this.lastSocketTouch >= TOUCH_EVERY_MS) {
          this.lastSocketTouch = now;
          await this.repository.touch([...existing], new Date(now).toISOString());
        }
      }
      if (now - this.lastSweep >= 60 * 60_000) {
        this.lastSweep = now;
        const removed = await this.repository.deleteUnusedSince(new Date(now - this.ttlMs).toISOString());
        if (removed > 0) this.logger.log(`removed ${removed} expired sessions`);
      }
    } catch (error) {
      this.logger.warn(`checking sessions failed: ${String(error)}`);
    }
  }
}
