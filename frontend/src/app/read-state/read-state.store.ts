import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import type { MessageFrame, ReadState, ServerFrame } from '@chatstream/protocol';
import { ApiClient } from '../core/api-client';
import { ChatSocket } from '../core/chat-socket.service';
import { RoomsStore } from '../rooms/rooms.store';
import { SessionStore } from '../session/session.store';
import { EMPTY_BADGE, ReadThrottle, arrive, change, dmKey, mentionsOf, read, roomKey, seed, unreadOf, type Arrival, type Badge, type ReadKey } from './badges';

/** A burst of reads or edits that only the server can count is one fetch of the counts. */
const COUNTS_REFRESH_DELAY_MS = 300;

/**
 * What is new where: unread and mention counts per room and private
 * conversation, the read pointers, and the "New messages" divider.
 *
 * Accounts mode: the counts come from the server (`GET /api/rooms`,
 * `GET /api/conversations`, on every (re)connect), rise with live messages
 * of others, and fall when a view reports the newest message on screen
 * (sent to the server as a `read` frame, at most once a second) or when a
 * `read` frame says another device of the user read on. Open mode has no
 * read state on the server: the same counting runs for this page only.
 */
@Injectable()
export class ReadStateStore {
  private readonly api = inject(ApiClient);
  private readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);
  private readonly rooms = inject(RoomsStore);
  private readonly synced = this.session.mode() === 'accounts';

  private readonly badgesSignal = signal<Readonly<Record<ReadKey, Badge>>>({});
  /** The read pointer of each target when its view last opened: the divider goes above the first message after it. */
  private readonly dividersSignal = signal<Readonly<Record<ReadKey, number>>>({});
  /** Views open now whose divider waits for the server's pointer. */
  private readonly awaitingDivider = new Set<ReadKey>();
  /** Newest seq seen on screen before the server's pointer arrived (applied after it, so the divider comes first). */
  private readonly seenEarly = new Map<ReadKey, number>();
  private readonly throttle = new ReadThrottle((key, seq) => this.socket.send(readFrame(key, seq)));
  private refreshTimer?: ReturnType<typeof setTimeout>;

  readonly badges = this.badgesSignal.asReadonly();
  /** Unread of joined rooms and of private conversations: the tab title and the menu button show it. */
  readonly total = computed(() => {
    const joined = this.rooms.joined();
    let sum = 0;
    for (const [key, badge] of Object.entries(this.badgesSignal()) as Array<[ReadKey, Badge]>) {
      if (key.startsWith('dm:') || joined.has(key.slice('room:'.length))) sum += unreadOf(badge);
    }
    return sum;
  });

  constructor() {
    const subscriptions = [this.socket.frames$.subscribe((frame) => this.onFrame(frame))];
    if (this.synced) subscriptions.push(this.socket.opened$.subscribe(() => void this.refreshCounts()));
    inject(DestroyRef).onDestroy(() => {
      subscriptions.forEach((subscription) => subscription.unsubscribe());
      this.throttle.dispose();
      clearTimeout(this.refreshTimer);
    });
  }

  unread(key: ReadKey): number {
    return unreadOf(this.badgesSignal()[key]);
  }

  mentions(key: ReadKey): number {
    return mentionsOf(this.badgesSignal()[key]);
  }

  /** The seq after which "New messages" starts in a view opened now, or null (nothing to divide, or not known yet). */
  divider(key: ReadKey): number | null {
    return this.dividersSignal()[key] ?? null;
  }

  /** A view of this target opened: the divider is drawn from the pointer as it is now. */
  opened(key: ReadKey): void {
    const badge = this.badgesSignal()[key];
    if (badge?.seeded) this.setDivider(key, badge.lastRead);
    // This page's own count: a view never opened before has nothing to divide.
    else if (!this.synced) this.setDivider(key, badge && badge.lastRead > 0 ? badge.lastRead : null);
    else this.awaitingDivider.add(key);
  }

  /** The newest message of this target that is on screen: everything up to it is read. */
  seen(key: ReadKey, seq: number): void {
    // A room read without being a member has no pointer to move (the server would refuse the frame).
    if (key.startsWith('room:') && !this.rooms.isJoined(key.slice('room:'.length))) return;
    if (this.synced && !this.badgesSignal()[key]?.seeded) {
      // A conversation or room that was not in the last fetch (new since): the next one has it.
      this.seenEarly.set(key, Math.max(seq, this.seenEarly.get(key) ?? 0));
      this.scheduleRefresh();
      // What arrived live is known here: its badge can go at once.
      if ((this.badgesSignal()[key]?.newest ?? 0) > 0) this.apply(key, (badge) => read(badge, seq));
      return;
    }
    this.apply(key, (badge) => read(badge, seq));
    if (this.synced) this.throttle.offer(key, seq);
  }

  /** Fetches the server's counts of every room and conversation (accounts mode). */
  async refreshCounts(): Promise<void> {
    try {
      const [rooms, conversations] = await Promise.all([this.api.rooms(), this.api.conversations()]);
      for (const room of rooms) this.seedFrom(roomKey(room.id), room);
      for (const conversation of conversations) this.seedFrom(dmKey(conversation.user.id), conversation);
      // Read on screen and still unknown to the server's lists: nothing was read there before.
      for (const key of [...this.seenEarly.keys()]) this.seedFrom(key, { last_read_seq: 0, unread: this.unread(key), unread_mentions: this.mentions(key) });
    } catch {
      // The badges keep their counts; the next reconnect or read fetches again.
    }
  }

  private seedFrom(key: ReadKey, state: Partial<ReadState>): void {
    if (state.last_read_seq === undefined) return;
    const server: ReadState = { last_read_seq: state.last_read_seq, unread: state.unread ?? 0, unread_mentions: state.unread_mentions ?? 0 };
    this.apply(key, (badge) => seed(badge, server));
    this.throttle.known(key, server.last_read_seq);
    if (this.awaitingDivider.delete(key)) this.setDivider(key, this.badgesSignal()[key]?.lastRead ?? null);
    const early = this.seenEarly.get(key);
    if (early !== undefined) {
      this.seenEarly.delete(key);
      this.seen(key, early);
    }
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'text':
      case 'private':
        this.apply(this.keyOf(frame), (badge) => arrive(badge, this.arrival(frame)));
        break;
      case 'message_updated':
        this.apply(this.keyOf(frame.message), (badge) => change(badge, this.arrival(frame.message)));
        break;
      case 'read': {
        const key = 'room' in frame ? roomKey(frame.room) : dmKey(frame.recipient);
        this.throttle.known(key, frame.seq);
        this.apply(key, (badge) => read(badge, frame.seq));
        break;
      }
    }
  }

  private keyOf(message: MessageFrame): ReadKey {
    if (message.type === 'text') return roomKey(message.room);
    return dmKey(message.sender_id === this.session.user()?.id ? message.recipient : message.sender_id);
  }

  private arrival(message: MessageFrame): Arrival {
    const me = this.session.user()?.id ?? '';
    return {
      id: message.id,
      seq: message.seq ?? 0,
      mine: message.sender_id === me,
      mentionsMe: !!me && (message.mentions ?? []).includes(me),
      deleted: message.deleted === true,
    };
  }

  private apply(key: ReadKey, step: (badge: Badge) => Badge): void {
    const current = this.badgesSignal()[key] ?? EMPTY_BADGE;
    const next = step(current);
    if (next === current) return;
    this.badgesSignal.update((all) => ({ ...all, [key]: next }));
    if (next.stale && this.synced) this.scheduleRefresh();
  }

  private setDivider(key: ReadKey, seq: number | null): void {
    this.dividersSignal.update((all) => {
      const { [key]: _old, ...rest } = all;
      return seq === null ? rest : { ...rest, [key]: seq };
    });
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshCounts(), COUNTS_REFRESH_DELAY_MS);
  }
}

function readFrame(key: ReadKey, seq: number) {
  const [kind, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  return kind === 'room' ? { type: 'read' as const, room: id, seq } : { type: 'read' as const, recipient: id, seq };
}
