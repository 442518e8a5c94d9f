import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { DEFAULT_ROOM_ID, type Room, type ServerFrame } from '@chatstream/protocol';
import { ApiClient } from '../core/api-client';
import { ChatSocket } from '../core/chat-socket.service';
import { SessionStore } from '../session/session.store';

const JOINED_KEY = 'joined';
const OPEN_KEY = 'open';
/** Membership changes come in bursts (a reconnect storm); one room list fetch serves a burst. */
const COUNT_REFRESH_DELAY_MS = 300;

/**
 * Rooms: the list with member counts, which ones the user has joined, and
 * which one is open. The list is fetched on every (re)connect and then
 * follows the server's `room_created` frames (no polling); member counts are
 * fetched again after membership changes. The server keeps memberships (level 2) but has no call
 * that lists a user's rooms, so the app remembers them per user and sends
 * `join_room` for each on every (re)connect: a repeated join is harmless and
 * acknowledged to the asker alone, and after a restart on memory storage it
 * restores the membership.
 */
@Injectable()
export class RoomsStore {
  private readonly api = inject(ApiClient);
  private readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);

  private readonly roomsSignal = signal<readonly Room[]>([]);
  private readonly joinedSignal = signal<ReadonlySet<string>>(new Set(this.session.recall<string[]>(JOINED_KEY) ?? []));
  /** Joins asked for and not yet acknowledged. */
  private readonly joiningSignal = signal<ReadonlySet<string>>(new Set());
  private readonly openIdSignal = signal<string>(this.session.recall<string>(OPEN_KEY) ?? DEFAULT_ROOM_ID);
  private readonly errorSignal = signal<string | null>(null);

  readonly rooms = this.roomsSignal.asReadonly();
  readonly joined = this.joinedSignal.asReadonly();
  readonly joining = this.joiningSignal.asReadonly();
  readonly openId = this.openIdSignal.asReadonly();
  /** Why the room list could not be loaded, if it could not. */
  readonly error = this.errorSignal.asReadonly();
  readonly openRoom = computed(() => this.roomsSignal().find((room) => room.id === this.openIdSignal()));
  readonly openJoined = computed(() => this.joinedSignal().has(this.openIdSignal()));

  private countRefresh?: ReturnType<typeof setTimeout>;
  /** Rooms created here: a list fetched while one was being created may lack it. */
  private readonly created = new Map<string, Room>();
  /** A new user starts in General; someone who comes back finds their own rooms. */
  private readonly firstVisit = this.session.recall<string[]>(JOINED_KEY) === undefined;

  constructor() {
    const frames = this.socket.frames$.subscribe((frame) => this.onFrame(frame));
    const opened = this.socket.opened$.subscribe(() => {
      this.rejoin();
      void this.refresh({ afterReconnect: true });
    });
    inject(DestroyRef).onDestroy(() => {
      frames.unsubscribe();
      opened.unsubscribe();
      clearTimeout(this.countRefresh);
    });
    if (this.firstVisit) this.join(DEFAULT_ROOM_ID);
    void this.refresh();
  }

  isJoined(roomId: string): boolean {
    return this.joinedSignal().has(roomId);
  }

  open(roomId: string): void {
    this.openIdSignal.set(roomId);
    this.session.remember(OPEN_KEY, roomId);
  }

  join(roomId: string): void {
    this.joiningSignal.update((set) => with_(set, roomId));
    this.socket.send({ type: 'join_room', content: roomId });
  }

  leave(roomId: string): void {
    this.socket.send({ type: 'leave_room', content: roomId });
  }

  /** Creates a room, joins it and opens it; resolves to why it failed, or null. */
  async create(name: string, description: string): Promise<string | null> {
    try {
      const room = await this.api.createRoom(description ? { name, description } : { name });
      this.created.set(room.id, room);
      this.roomsSignal.update((rooms) => (rooms.some((r) => r.id === room.id) ? rooms : [...rooms, room]));
      this.join(room.id);
      this.open(room.id);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** Fetches the room list; after a reconnect, also forgets rooms the server no longer has. */
  async refresh(options: { afterReconnect?: boolean } = {}): Promise<void> {
    try {
      const fetched = await this.api.rooms();
      const ids = new Set(fetched.map((room) => room.id));
      const rooms = options.afterReconnect ? fetched : [...fetched, ...[...this.created.values()].filter((r) => !ids.has(r.id))];
      this.roomsSignal.set(rooms);
      this.errorSignal.set(null);
      if (options.afterReconnect) {
        this.created.clear();
        this.forgetVanished(rooms);
      }
    } catch (error) {
      this.errorSignal.set(`Could not load the rooms: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private rejoin(): void {
    for (const roomId of this.joinedSignal()) this.socket.send({ type: 'join_room', content: roomId });
  }

  private onFrame(frame: ServerFrame): void {
    const me = this.session.user()?.id;
    switch (frame.type) {
      case 'join':
      case 'leave':
        if (frame.user_id === me) this.setJoined(frame.room, frame.type === 'join');
        this.scheduleCountRefresh();
        break;
      case 'error':
        // The server does not say which request failed; a join that was refused is no longer pending.
        this.joiningSignal.set(new Set());
        break;
      case 'room_created':
        this.roomsSignal.update((rooms) => (rooms.some((room) => room.id === frame.room.id) ? rooms : [...rooms, frame.room]));
        break;
      case 'text':
        // Only members receive a room's messages: one arriving proves a membership this device forgot.
        if (!this.joinedSignal().has(frame.room)) this.setJoined(frame.room, true);
        break;
    }
  }

  private setJoined(roomId: string, joined: boolean): void {
    this.joiningSignal.update((set) => without(set, roomId));
    this.joinedSignal.update((set) => (joined ? with_(set, roomId) : without(set, roomId)));
    this.session.remember(JOINED_KEY, [...this.joinedSignal()]);
  }

  /** Rooms that no longer exist (a server on memory storage restarted) are no longer joined or open. */
  private forgetVanished(rooms: readonly Room[]): void {
    const ids = new Set(rooms.map((room) => room.id));
    for (const roomId of this.joinedSignal()) if (!ids.has(roomId)) this.setJoined(roomId, false);
    if (!ids.has(this.openIdSignal())) this.open(DEFAULT_ROOM_ID);
  }

  private scheduleCountRefresh(): void {
    clearTimeout(this.countRefresh);
    this.countRefresh = setTimeout(() => void this.refresh(), COUNT_REFRESH_DELAY_MS);
  }
}

function with_(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  return set.has(id) ? set : new Set([...set, id]);
}

function without(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  if (!set.has(id)) return set;
  const copy = new Set(set);
  copy.delete(id);
  return copy;
}
