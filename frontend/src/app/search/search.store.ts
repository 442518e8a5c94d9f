import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import type { SearchResult } from '@chatstream/protocol';
import { ApiClient, errorMessage } from '../core/api-client';
import { dmKey, roomKey, type ReadKey } from '../read-state/badges';
import { RoomsStore } from '../rooms/rooms.store';
import { SessionStore } from '../session/session.store';
import type { FocusRequest } from '../shared/message-log.component';

/** Typing pauses this long before a search goes out: one request per word typed, not per key. */
export const SEARCH_DEBOUNCE_MS = 250;

export type SearchStatus = 'idle' | 'searching' | 'done' | 'error';

/**
 * Searching messages (`GET /api/search`): the query as typed, debounced;
 * the latest answer only (a slow earlier one never overwrites it); and the
 * result chosen, which its room or private chat scrolls to and highlights.
 */
@Injectable()
export class SearchStore {
  private readonly api = inject(ApiClient);
  private readonly rooms = inject(RoomsStore);
  private readonly session = inject(SessionStore);

  private readonly querySignal = signal('');
  private readonly resultsSignal = signal<readonly SearchResult[]>([]);
  private readonly statusSignal = signal<SearchStatus>('idle');
  private readonly errorSignal = signal<string | null>(null);
  private readonly focusSignal = signal<{ key: ReadKey; request: FocusRequest } | null>(null);
  private timer?: ReturnType<typeof setTimeout>;
  /** Number of the latest search sent: answers to older ones are dropped. */
  private ticket = 0;

  readonly query = this.querySignal.asReadonly();
  readonly results = this.resultsSignal.asReadonly();
  readonly status = this.statusSignal.asReadonly();
  /** The server's reason when it refused the query (400), or why the request failed. */
  readonly error = this.errorSignal.asReadonly();

  constructor() {
    inject(DestroyRef).onDestroy(() => clearTimeout(this.timer));
  }

  /** The query changed: search after a pause in typing; a blank query clears the results without asking. */
  type(query: string): void {
    this.querySignal.set(query);
    clearTimeout(this.timer);
    if (!query.trim()) {
      this.ticket++;
      this.resultsSignal.set([]);
      this.errorSignal.set(null);
      this.statusSignal.set('idle');
      return;
    }
    // Until the answer comes, what is shown is not this query's: say so at once.
    this.statusSignal.set('searching');
    this.timer = setTimeout(() => void this.run(query), SEARCH_DEBOUNCE_MS);
  }

  /** Searches now (Enter), without waiting for the pause. */
  submit(): void {
    clearTimeout(this.timer);
    const query = this.querySignal();
    if (query.trim()) void this.run(query);
  }

  /** Where a result lives: a room, or the private conversation with the other person. */
  keyOf(result: SearchResult): ReadKey {
    if (result.type === 'text') return roomKey(result.room);
    return dmKey(result.sender_id === this.session.user()?.id ? result.recipient : result.sender_id);
  }

  /** Opens a room result's room (a private one is opened by the caller, as a dialog) and asks its log to show the message. */
  choose(result: SearchResult): void {
    this.focusSignal.set({ key: this.keyOf(result), request: { id: result.id } });
    if (result.type === 'text') this.rooms.open(result.room);
  }

  /** The message the log of this room or conversation should scroll to and highlight, if any. */
  focusIn(key: ReadKey): FocusRequest | null {
    const focus = this.focusSignal();
    return focus?.key === key ? focus.request : null;
  }

  /** The log showed the chosen message: reopening that room or chat later starts at the bottom again. */
  focusDone(): void {
    this.focusSignal.set(null);
  }

  private async run(query: string): Promise<void> {
    const ticket = ++this.ticket;
    this.statusSignal.set('searching');
    try {
      const results = await this.api.search(query);
      if (ticket !== this.ticket) return;
      this.resultsSignal.set(results);
      this.errorSignal.set(null);
      this.statusSignal.set('done');
    } catch (error) {
      if (ticket !== this.ticket) return;
      this.resultsSignal.set([]);
      this.errorSignal.set(errorMessage(error));
      this.statusSignal.set('error');
    }
  }
}
