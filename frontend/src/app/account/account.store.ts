import { Injectable, inject, signal } from '@angular/core';
import type { AuthSessionInfo } from '@chatstream/protocol';
import { ApiClient, ApiError, errorMessage } from '../core/api-client';
import { SessionStore } from '../session/session.store';

/**
 * The "Account" dialog's state: the signed-in user's sessions (one per
 * device or script that signed in) and ending them. Ending the current one
 * signs this device out.
 */
@Injectable()
export class AccountStore {
  private readonly api = inject(ApiClient);
  private readonly session = inject(SessionStore);

  private readonly sessionsSignal = signal<readonly AuthSessionInfo[]>([]);
  private readonly loadingSignal = signal(false);
  private readonly errorSignal = signal<string | null>(null);
  private readonly endingSignal = signal<ReadonlySet<string>>(new Set());

  /** This device first, then the most recently used. */
  readonly sessions = this.sessionsSignal.asReadonly();
  readonly loading = this.loadingSignal.asReadonly();
  readonly error = this.errorSignal.asReadonly();
  /** Sessions whose end was asked for and not yet answered. */
  readonly ending = this.endingSignal.asReadonly();

  async load(): Promise<void> {
    this.loadingSignal.set(true);
    try {
      const sessions = await this.api.sessions();
      this.sessionsSignal.set(
        [...sessions].sort((a, b) => Number(b.current) - Number(a.current) || b.last_used_at.localeCompare(a.last_used_at)),
      );
      this.errorSignal.set(null);
    } catch (error) {
      if (this.signedOutBy(error)) return;
      this.errorSignal.set(`Could not load your sessions: ${errorMessage(error)}`);
    } finally {
      this.loadingSignal.set(false);
    }
  }

  /** Ends a session (its sockets close on every device); ending the current one signs out here. */
  async end(sessionId: string): Promise<void> {
    const current = this.sessionsSignal().find((s) => s.id === sessionId)?.current ?? false;
    this.endingSignal.update((set) => new Set([...set, sessionId]));
    try {
      await this.api.endSession(sessionId);
      this.sessionsSignal.update((sessions) => sessions.filter((s) => s.id !== sessionId));
      this.errorSignal.set(null);
      if (current) this.session.sessionEnded({ here: true });
    } catch (error) {
      if (this.signedOutBy(error)) return;
      // 404: it had ended already (expired, or ended from another device).
      if (error instanceof ApiError && error.status === 404) {
        this.sessionsSignal.update((sessions) => sessions.filter((s) => s.id !== sessionId));
      } else {
        this.errorSignal.set(`Could not end the session: ${errorMessage(error)}`);
      }
    } finally {
      this.endingSignal.update((set) => new Set([...set].filter((id) => id !== sessionId)));
    }
  }

  /** A 401: this device's own session has ended meanwhile. */
  private signedOutBy(error: unknown): boolean {
    if (!(error instanceof ApiError && error.status === 401)) return false;
    this.session.sessionEnded();
    return true;
  }
}
