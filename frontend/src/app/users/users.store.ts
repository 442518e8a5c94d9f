import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import type { OnlineUser, ServerFrame } from '@chatstream/protocol';
import { ApiClient } from '../core/api-client';
import { ChatSocket } from '../core/chat-socket.service';
import { POLL_INTERVAL_MS } from '../core/config';
import { every } from '../core/polling';
import { SessionStore } from '../session/session.store';

/**
 * Who is online. `GET /api/users` is the complete list (fetched on start,
 * on every reconnect and every poll interval); presence frames, which only
 * come from people sharing a room, update it at once in between.
 */
@Injectable()
export class UsersStore {
  private readonly api = inject(ApiClient);
  private readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);

  private readonly onlineSignal = signal<readonly OnlineUser[]>([]);
  readonly online = this.onlineSignal.asReadonly();
  /** Everyone online but oneself, by name. */
  readonly others = computed(() => {
    const me = this.session.user()?.id;
    return this.onlineSignal()
      .filter((user) => user.id !== me)
      .sort((a, b) => a.username.localeCompare(b.username) || a.id.localeCompare(b.id));
  });
  private readonly onlineIds = computed(() => new Set(this.onlineSignal().map((user) => user.id)));

  constructor() {
    const subscriptions = [
      this.socket.frames$.subscribe((frame) => this.onFrame(frame)),
      this.socket.opened$.subscribe(() => void this.refresh()),
    ];
    inject(DestroyRef).onDestroy(() => subscriptions.forEach((subscription) => subscription.unsubscribe()));
    every(inject(POLL_INTERVAL_MS), () => void this.refresh());
    void this.refresh();
  }

  isOnline(userId: string): boolean {
    return this.onlineIds().has(userId);
  }

  async refresh(): Promise<void> {
    try {
      this.onlineSignal.set(await this.api.onlineUsers());
    } catch {
      // Keep the last known list; the next poll tries again.
    }
  }

  private onFrame(frame: ServerFrame): void {
    // Joins come only from open sockets: a joiner is online (a first-time user joins after connecting,
    // when their presence frame had nobody to go to).
    if ((frame.type === 'presence' && frame.content === 'online') || frame.type === 'join') {
      this.add(frame.user_id, frame.username);
    } else if (frame.type === 'presence') {
      this.onlineSignal.update((users) => users.filter((user) => user.id !== frame.user_id));
    }
  }

  private add(id: string, username: string): void {
    if (!this.isOnline(id)) this.onlineSignal.update((users) => [...users, { id, username }]);
  }
}
