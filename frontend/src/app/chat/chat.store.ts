import { DestroyRef, Injectable, computed, effect, inject, signal, untracked } from '@angular/core';
import { HISTORY_MAX_LIMIT, TYPING_SHOW_MS, TYPING_THROTTLE_MS, type HistoryMessage, type ServerFrame } from '@chatstream/protocol';
import { ApiClient } from '../core/api-client';
import { ChatSocket } from '../core/chat-socket.service';
import { ACK_TIMEOUT_MS } from '../core/config';
import { Outbox } from '../core/outbox';
import { RoomsStore } from '../rooms/rooms.store';
import { SessionStore } from '../session/session.store';
import { sendThreadReply } from '../shared/thread-reply';
import { appendLine, applyUpdates, completeThrough, insertMessages, lastRev, oldestMessageId, type RoomEntry } from './room-log';

/** First page when a room opens: small, so the room shows at once. */
export const FIRST_PAGE = 50;
/** Each older page while scrolling up. */
export const OLDER_PAGE = 100;
/** After a reconnect, pages of `after=<last seq>`: a short outage is one request. */
export const CATCH_UP_PAGE = HISTORY_MAX_LIMIT;
/**
 * More missed than this many pages (a laptop closed for a week): the log
 * starts again from the latest page instead, and older ones page in on scroll.
 */
export const CATCH_UP_MAX_PAGES = 10;

export interface RoomLog {
  entries: readonly RoomEntry[];
  /** History has messages older than the first entry. */
  hasOlder: boolean;
  /** The latest page has arrived. */
  loaded: boolean;
  loading: boolean;
  loadingOlder: boolean;
  error: string | null;
}

const EMPTY_LOG: RoomLog = { entries: [], hasOlder: false, loaded: false, loading: false, loadingOlder: false, error: null };

/**
 * Room messages: the logs of the rooms opened so far (history, live frames,
 * catch-up after a reconnect, merged without duplicates) and one's own
 * messages on their way (the outbox). What is unread is the read state's.
 */
@Injectable()
export class ChatStore {
  private readonly api = inject(ApiClient);
  private readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);
  private readonly rooms = inject(RoomsStore);

  readonly outbox = new Outbox(this.socket, (room, content, clientId) => ({ type: 'text', content, room, client_id: clientId }), inject(ACK_TIMEOUT_MS));
  /** Rooms whose catch-up is running: a second request waits for it and then runs once more. */
  private readonly catchingUp = new Map<string, Promise<void>>();
  private readonly catchUpAgain = new Set<string>();
  private readonly logsSignal = signal<Readonly<Record<string, RoomLog>>>({});
  private readonly noticeSignal = signal<string | null>(null);
  /** Rooms rejoined on the last (re)connect, whose join acknowledgement is still to come. */
  private rejoinAcks = new Set<string>();

  /** Who is typing, per room: user id -> name, each shown for 5 s or until their message arrives. */
  private readonly typingSignal = signal<Readonly<Record<string, Readonly<Record<string, string>>>>>({});
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private lastTypingSent = new Map<string, number>();

  /** The thread open beside the room: its parent's id and its replies. */
  private readonly threadSignal = signal<{ parentId: string; roomId: string; replies: readonly HistoryMessage[] } | null>(null);
  readonly thread = this.threadSignal.asReadonly();
  /** The open thread's parent in its current state (from the room's log). */
  readonly threadParent = computed(() => {
    const thread = this.threadSignal();
    if (!thread) return undefined;
    const entry = this.log(thread.roomId).entries.find((candidate) => candidate.id === thread.parentId);
    return entry?.type === 'text' ? entry : undefined;
  });

  /** "alice is typing…" for the open room, or ''. */
  readonly openTyping = computed(() => typingText(Object.values(this.typingSignal()[this.rooms.openId()] ?? {})));
  /** The server's latest complaint about a frame (it says what, not which frame). */
  readonly notice = this.noticeSignal.asReadonly();
  readonly openLog = computed(() => this.logsSignal()[this.rooms.openId()] ?? EMPTY_LOG);
  readonly openPending = computed(() => this.outbox.items().filter((item) => item.target === this.rooms.openId()));

  constructor() {
    const subscriptions = [
      this.socket.frames$.subscribe((frame) => this.onFrame(frame)),
      this.socket.opened$.subscribe(() => {
        this.rejoinAcks = new Set(this.rooms.joined());
        // Messages in doubt go again at once (after the rejoins, before what was queued): a repeat is answered, never stored twice.
        this.outbox.resendUnconfirmed();
        this.catchUpAll();
        // The open room's first load may have failed while the server was away.
        void this.ensureLoaded(this.rooms.openId());
      }),
      this.socket.dropped$.subscribe(() => this.outbox.connectionLost()),
    ];
    inject(DestroyRef).onDestroy(() => {
      for (const subscription of subscriptions) subscription.unsubscribe();
      for (const timer of this.typingTimers.values()) clearTimeout(timer);
      this.outbox.dispose();
    });
    effect(() => {
      const roomId = this.rooms.openId();
      untracked(() => {
        // A room read without being a member gets no live frames: reopening it reads what is new.
        if (this.log(roomId).loaded && !this.rooms.isJoined(roomId)) void this.catchUp(roomId);
        else void this.ensureLoaded(roomId);
      });
    });
  }

  log(roomId: string): RoomLog {
    return this.logsSignal()[roomId] ?? EMPTY_LOG;
  }

  /** Sends a message to a room (now, or when the socket is back); returns why not, or null. */
  send(roomId: string, content: string): string | null {
    return this.outbox.send(roomId, content);
  }

  retry(localId: string): void {
    this.outbox.retry(localId);
  }

  discard(localId: string): void {
    this.outbox.remove(localId);
  }

  dismissNotice(): void {
    this.noticeSignal.set(null);
  }

  /** Loads the latest page of a room, once. */
  async ensureLoaded(roomId: string): Promise<void> {
    const current = this.log(roomId);
    if (current.loaded || current.loading) return;
    this.updateLog(roomId, (log) => ({ ...log, loading: true, error: null }));
    try {
      const page = await this.api.history(roomId, { limit: FIRST_PAGE });
      this.updateLog(roomId, (log) => ({
        ...log,
        entries: insertMessages(log.entries, page),
        hasOlder: page.length === FIRST_PAGE,
        loaded: true,
        loading: false,
      }));
    } catch (error) {
      this.updateLog(roomId, (log) => ({ ...log, loading: false, error: `Could not load the messages: ${reason(error)}` }));
    }
  }

  /** Loads the page before the oldest loaded message. */
  async loadOlder(roomId: string): Promise<void> {
    const log = this.log(roomId);
    const before = oldestMessageId(log.entries);
    if (!log.loaded || !log.hasOlder || log.loadingOlder || before === undefined) return;
    this.updateLog(roomId, (current) => ({ ...current, loadingOlder: true }));
    try {
      const page = await this.api.history(roomId, { limit: OLDER_PAGE, before });
      this.updateLog(roomId, (current) => ({
        ...current,
        entries: insertMessages(current.entries, page),
        hasOlder: page.length === OLDER_PAGE,
        loadingOlder: false,
      }));
    } catch (error) {
      this.updateLog(roomId, (current) => ({ ...current, loadingOlder: false, error: `Could not load older messages: ${reason(error)}` }));
    }
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'text': {
        this.stopTyping(frame.room, frame.sender_id);
        this.addToThread(frame);
        const mine = frame.sender_id === this.session.user()?.id;
        if (mine) this.outbox.acknowledge(frame.client_id);
        this.addLive(frame);
        break;
      }
      case 'join':
      case 'leave':
        // The acknowledgement of a rejoin after a reconnect is not news.
        if (frame.type === 'join' && frame.user_id === this.session.user()?.id && this.rejoinAcks.delete(frame.room)) break;
        this.addLive(frame);
        // Messages posted while one was not a member did not arrive live.
        if (frame.type === 'join' && frame.user_id === this.session.user()?.id && this.log(frame.room).loaded) {
          void this.catchUp(frame.room);
        }
        break;
      case 'typing':
        if ('room' in frame) this.startTyping(frame.room, frame.user_id, frame.username);
        break;
      case 'message_updated':
        if (frame.message.type === 'text') {
          this.applyUpdate(frame.message.room, [frame.message]);
          const thread = this.threadSignal();
          if (thread?.replies.some((reply) => reply.id === frame.message.id)) {
            const updated = frame.message;
            this.threadSignal.set({ ...thread, replies: thread.replies.map((reply) => (reply.id === updated.id ? updated : reply)) });
          }
        }
        break;
      case 'error':
        this.noticeSignal.set(frame.content);
        break;
    }
  }

  /** Opens the thread of a message beside the room: the parent, its replies, and a composer. */
  async openThread(roomId: string, parentId: string): Promise<void> {
    this.threadSignal.set({ parentId, roomId, replies: [] });
    const replies = await this.api.replies(parentId);
    this.threadSignal.update((thread) => (thread?.parentId === parentId ? { ...thread, replies: mergeBySeq(thread.replies, replies) } : thread));
  }

  closeThread(): void {
    this.threadSignal.set(null);
  }

  /** Answers the open thread; its echo shows in the thread and the room. */
  reply(content: string): string | null {
    const thread = this.threadSignal();
    return sendThreadReply(this.socket, thread && { type: 'text', room: thread.roomId, content, reply_to: thread.parentId });
  }

  private addToThread(frame: HistoryMessage): void {
    const thread = this.threadSignal();
    if (thread && frame.reply_to === thread.parentId) this.threadSignal.set({ ...thread, replies: mergeBySeq(thread.replies, [frame]) });
  }

  /** Tells the room one is typing: at most once every 2 s (the server drops more anyway). */
  typing(roomId: string): void {
    const now = Date.now();
    if (now - (this.lastTypingSent.get(roomId) ?? 0) < TYPING_THROTTLE_MS || this.socket.state() !== 'connected') return;
    this.lastTypingSent.set(roomId, now);
    this.socket.send({ type: 'typing', room: roomId });
  }

  private startTyping(roomId: string, userId: string, username: string): void {
    const key = `${roomId}\u0000${userId}`;
    clearTimeout(this.typingTimers.get(key));
    this.typingTimers.set(key, setTimeout(() => this.stopTyping(roomId, userId), TYPING_SHOW_MS));
    this.typingSignal.update((all) => ({ ...all, [roomId]: { ...all[roomId], [userId]: username } }));
  }

  private stopTyping(roomId: string, userId: string): void {
    const key = `${roomId}\u0000${userId}`;
    clearTimeout(this.typingTimers.get(key));
    this.typingTimers.delete(key);
    if (!this.typingSignal()[roomId]?.[userId]) return;
    this.typingSignal.update((all) => {
      const { [userId]: _gone, ...rest } = all[roomId] ?? {};
      return { ...all, [roomId]: rest };
    });
  }

  /** Replaces the text of one's own message. */
  edit(id: string, content: string): void {
    if (content.trim()) this.socket.send({ type: 'edit', id, content });
  }

  /** Deletes one's own message (a tombstone stays). */
  remove(id: string): void {
    this.socket.send({ type: 'delete', id });
  }

  /** Adds one's reaction with `emoji`, or takes it back when one has it. */
  toggleReaction(roomId: string, id: string, emoji: string): void {
    const entry = this.log(roomId).entries.find((candidate) => candidate.id === id);
    const mine = entry?.type === 'text' && entry.reactions?.some((r) => r.emoji === emoji && r.user_ids.includes(this.session.user()?.id ?? ''));
    this.socket.send({ type: mine ? 'unreact' : 'react', id, emoji });
  }

  private applyUpdate(roomId: string, messages: readonly HistoryMessage[]): void {
    if (!this.logsSignal()[roomId]) return;
    this.updateLog(roomId, (log) => ({ ...log, entries: applyUpdates(log.entries, messages) }));
  }

  /** Live entries matter only for rooms whose log is loaded or loading; others load on open. */
  private addLive(entry: RoomEntry): void {
    if (!this.logsSignal()[entry.room]) return;
    this.updateLog(entry.room, (log) => ({
      ...log,
      entries: entry.type === 'text' ? insertMessages(log.entries, [entry]) : appendLine(log.entries, entry),
    }));
  }

  /** After every (re)open: what each loaded room missed while the socket was closed. */
  private catchUpAll(): void {
    for (const [roomId, log] of Object.entries(this.logsSignal())) {
      if (log.loaded) void this.catchUp(roomId);
    }
  }

  /**
   * Reads what the room's log lacks: `after=<the seq it is complete through>`,
   * page after page until a short one. Each message shows once, in seq order,
   * however it also arrives live meanwhile; one's own messages found there
   * are confirmed by their client_id.
   */
  private catchUp(roomId: string): Promise<void> {
    const running = this.catchingUp.get(roomId);
    if (running) {
      this.catchUpAgain.add(roomId);
      return running;
    }
    const run = this.readMissed(roomId).finally(() => {
      this.catchingUp.delete(roomId);
      if (this.catchUpAgain.delete(roomId)) void this.catchUp(roomId);
    });
    this.catchingUp.set(roomId, run);
    return run;
  }

  private async readMissed(roomId: string): Promise<void> {
    try {
      for (let pages = 0; pages < CATCH_UP_MAX_PAGES; pages++) {
        const page = await this.api.history(roomId, { limit: CATCH_UP_PAGE, after: completeThrough(this.log(roomId).entries) });
        this.updateLog(roomId, (log) => ({ ...log, entries: insertMessages(log.entries, page), error: null }));
        this.confirmMine(page);
        if (page.length < CATCH_UP_PAGE) return this.readChanges(roomId);
      }
      // Too much missed to read it all: start again from the latest page.
      const latest = await this.api.history(roomId, { limit: FIRST_PAGE });
      const newest = latest.at(-1)?.seq ?? 0;
      this.updateLog(roomId, (log) => ({
        ...log,
        entries: insertMessages(
          log.entries.filter((entry) => entry.type === 'text' && entry.seq > newest),
          latest,
        ),
        hasOlder: latest.length === FIRST_PAGE,
        error: null,
      }));
      this.confirmMine(latest);
    } catch {
      // The next reconnect tries again; meanwhile the log keeps what it has.
    }
  }

  /** Edits, deletes, reactions and reply counts made while away: `changed_after=<the newest rev seen>`, page after page. */
  private async readChanges(roomId: string): Promise<void> {
    // Pages may hold messages older than the log (not loaded): they only move the rev on.
    let rev = lastRev(this.log(roomId).entries);
    for (let pages = 0; pages < CATCH_UP_MAX_PAGES; pages++) {
      const page = await this.api.history(roomId, { limit: CATCH_UP_PAGE, changedAfter: rev });
      this.applyUpdate(roomId, page);
      if (page.length < CATCH_UP_PAGE) return;
      rev = page[page.length - 1].rev ?? rev;
    }
  }

  /** One's own messages in history are stored: settle them in the outbox. */
  private confirmMine(page: readonly HistoryMessage[]): void {
    const me = this.session.user()?.id;
    for (const message of page) if (message.sender_id === me) this.outbox.acknowledge(message.client_id);
  }

  private updateLog(roomId: string, change: (log: RoomLog) => RoomLog): void {
    this.logsSignal.update((logs) => ({ ...logs, [roomId]: change(logs[roomId] ?? EMPTY_LOG) }));
  }
}

function mergeBySeq(known: readonly HistoryMessage[], more: readonly HistoryMessage[]): readonly HistoryMessage[] {
  const byId = new Map(known.map((message) => [message.id, message]));
  for (const message of more) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

function typingText(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
