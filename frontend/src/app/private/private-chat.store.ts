import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import type { PrivateMessageFrame, ServerFrame } from '@chatstream/protocol';
import { ApiClient, errorMessage } from '../core/api-client';
import { ChatSocket } from '../core/chat-socket.service';
import { ACK_TIMEOUT_MS } from '../core/config';
import { Outbox, type PendingMessage } from '../core/outbox';
import { CATCH_UP_PAGE, FIRST_PAGE, OLDER_PAGE } from '../chat/chat.store';
import { SessionStore } from '../session/session.store';
import { sendThreadReply } from '../shared/thread-reply';
import { appendLive, mergeLatest, prependOlder } from './private-log';

export interface Conversation {
  peerId: string;
  peerName: string;
  /** Oldest first, without duplicates. */
  messages: readonly PrivateMessageFrame[];
  /** The newest message known (from the conversation list, history or live), for ordering the list. */
  last?: PrivateMessageFrame;
  /** Accounts mode: the latest page of history has arrived. */
  loaded: boolean;
  loading: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  error: string | null;
}

/**
 * Private chats, grouped by the other person.
 *
 * In accounts mode the server keeps them for the two participants: the list
 * comes from `GET /api/conversations` (again after every reconnect), a chat's
 * history from `GET /api/conversations/:userId/messages` when its dialog
 * opens, older pages on scroll; live messages merge in without duplicates.
 * In open mode there is no readable history: whatever arrives over the
 * socket is kept in memory for the session.
 */
@Injectable()
export class PrivateChatStore {
  private readonly api = inject(ApiClient);
  private readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);
  private readonly withHistory = this.session.mode() === 'accounts';

  readonly outbox = new Outbox(
    this.socket,
    (recipient, content, clientId) => ({ type: 'text', content, recipient, client_id: clientId }),
    inject(ACK_TIMEOUT_MS),
  );
  private readonly conversationsSignal = signal<Readonly<Record<string, Conversation>>>({});
  private readonly openPeerSignal = signal<string | null>(null);
  private readonly listErrorSignal = signal<string | null>(null);

  readonly conversations = this.conversationsSignal.asReadonly();
  /** The peer whose dialog is open. */
  readonly openPeer = this.openPeerSignal.asReadonly();
  /** "Direct messages": conversations with a message, most recent first. */
  readonly recent = computed(() =>
    Object.values(this.conversationsSignal())
      .filter((c) => c.last)
      .sort((a, b) => (b.last?.timestamp ?? '').localeCompare(a.last?.timestamp ?? '') || a.peerName.localeCompare(b.peerName)),
  );
  /** Why the conversation list could not be loaded, if it could not. */
  readonly listError = this.listErrorSignal.asReadonly();

  /** The thread open in a private chat: its parent's id and its replies. */
  private readonly threadSignal = signal<{ peerId: string; parentId: string; replies: readonly PrivateMessageFrame[] } | null>(null);
  readonly thread = this.threadSignal.asReadonly();
  /** The open thread's parent in its current state (from the conversation). */
  readonly threadParent = computed(() => {
    const thread = this.threadSignal();
    return thread ? this.conversationsSignal()[thread.peerId]?.messages.find((message) => message.id === thread.parentId) : undefined;
  });

  constructor() {
    const subscriptions = [
      this.socket.frames$.subscribe((frame) => this.onFrame(frame)),
      // A message whose echo was lost with the socket goes again on the next open; its client_id keeps it single.
      this.socket.dropped$.subscribe(() => this.outbox.connectionLost()),
      this.socket.opened$.subscribe(() => this.outbox.resendUnconfirmed()),
    ];
    if (this.withHistory) {
      subscriptions.push(this.socket.opened$.subscribe(() => void this.catchUp()));
      void this.refreshList();
    }
    inject(DestroyRef).onDestroy(() => {
      subscriptions.forEach((subscription) => subscription.unsubscribe());
      this.outbox.dispose();
    });
  }

  conversation(peerId: string): Conversation | undefined {
    return this.conversationsSignal()[peerId];
  }

  pendingTo(peerId: string): PendingMessage[] {
    return this.outbox.forTarget(peerId);
  }

  /** The dialog with this peer opened (with history: it loads). */
  open(peerId: string, peerName: string): void {
    this.openPeerSignal.set(peerId);
    this.update(peerId, peerName, (c) => c);
    if (this.withHistory) void this.ensureLoaded(peerId);
  }

  close(peerId: string): void {
    if (this.openPeerSignal() === peerId) this.openPeerSignal.set(null);
  }

  send(peerId: string, content: string): string | null {
    return this.outbox.send(peerId, content);
  }

  retry(localId: string): void {
    this.outbox.retry(localId);
  }

  discard(localId: string): void {
    this.outbox.remove(localId);
  }

  /** Fetches the conversation list (accounts mode). */
  async refreshList(): Promise<void> {
    try {
      const summaries = await this.api.conversations();
      for (const { user, last_message } of summaries) {
        this.update(user.id, user.username, (c) => ({ ...c, last: newer(c.last, last_message) }));
      }
      this.listErrorSignal.set(null);
    } catch (error) {
      this.listErrorSignal.set(`Could not load your conversations: ${errorMessage(error)}`);
    }
  }

  /** Loads the latest page of a conversation, once. */
  async ensureLoaded(peerId: string): Promise<void> {
    const current = this.conversation(peerId);
    if (current?.loaded || current?.loading) return;
    this.update(peerId, undefined, (c) => ({ ...c, loading: true, error: null }));
    try {
      const page = await this.api.conversationHistory(peerId, { limit: FIRST_PAGE });
      this.settleFrom(page);
      this.update(peerId, undefined, (c) => ({
        ...c,
        messages: mergeLatest(c.messages, page),
        last: newer(c.last, page[page.length - 1]),
        hasOlder: page.length === FIRST_PAGE,
        loaded: true,
        loading: false,
      }));
    } catch (error) {
      this.update(peerId, undefined, (c) => ({ ...c, loading: false, error: `Could not load the messages: ${errorMessage(error)}` }));
    }
  }

  /** Loads the page before the oldest loaded message. */
  async loadOlder(peerId: string): Promise<void> {
    const current = this.conversation(peerId);
    const before = current?.messages[0]?.id;
    if (!current?.loaded || !current.hasOlder || current.loadingOlder || before === undefined) return;
    this.update(peerId, undefined, (c) => ({ ...c, loadingOlder: true }));
    try {
      const page = await this.api.conversationHistory(peerId, { limit: OLDER_PAGE, before });
      this.update(peerId, undefined, (c) => ({
        ...c,
        messages: prependOlder(c.messages, page),
        hasOlder: page.length === OLDER_PAGE,
        loadingOlder: false,
      }));
    } catch (error) {
      this.update(peerId, undefined, (c) => ({ ...c, loadingOlder: false, error: `Could not load older messages: ${errorMessage(error)}` }));
    }
  }

  /** After a (re)open: the list, and what the loaded conversations missed while the socket was closed. */
  private async catchUp(): Promise<void> {
    await this.refreshList();
    for (const c of Object.values(this.conversationsSignal())) {
      if (!c.loaded) continue;
      try {
        const page = await this.api.conversationHistory(c.peerId, { limit: CATCH_UP_PAGE });
        this.settleFrom(page);
        this.update(c.peerId, undefined, (current) => ({ ...current, messages: mergeLatest(current.messages, page), error: null }));
      } catch {
        // The next reconnect tries again; meanwhile the log keeps what it has.
      }
    }
  }

  /** One's own messages found in history are stored: their pending copies are settled. */
  private settleFrom(page: readonly PrivateMessageFrame[]): void {
    const me = this.session.user()?.id;
    for (const message of page) if (message.sender_id === me) this.outbox.acknowledge(message.client_id);
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
  toggleReaction(peerId: string, id: string, emoji: string): void {
    const me = this.session.user()?.id ?? '';
    const message = this.conversationsSignal()[peerId]?.messages.find((candidate) => candidate.id === id);
    const mine = message?.reactions?.some((r) => r.emoji === emoji && r.user_ids.includes(me));
    this.socket.send({ type: mine ? 'unreact' : 'react', id, emoji });
  }

  /**
   * Opens the thread of a private message: the replies this chat holds at
   * once, then (accounts mode, where history is readable) all of them from
   * `GET /api/messages/:id/replies`.
   */
  async openThread(peerId: string, parentId: string): Promise<void> {
    const known = (this.conversationsSignal()[peerId]?.messages ?? []).filter((message) => message.reply_to === parentId);
    this.threadSignal.set({ peerId, parentId, replies: known });
    if (!this.withHistory) return;
    try {
      const replies = await this.api.privateReplies(parentId);
      this.threadSignal.update((thread) => (thread?.parentId === parentId ? { ...thread, replies: mergeReplies(thread.replies, replies) } : thread));
    } catch (error) {
      this.update(peerId, undefined, (c) => ({ ...c, error: `Could not load the thread: ${errorMessage(error)}` }));
    }
  }

  closeThread(): void {
    this.threadSignal.set(null);
  }

  /** Answers the open thread; its echo shows in the thread and the chat. */
  reply(content: string): string | null {
    const thread = this.threadSignal();
    return sendThreadReply(this.socket, thread && { type: 'text', recipient: thread.peerId, content, reply_to: thread.parentId });
  }

  /** A private message changed: its conversation (and the open thread) show the newer state. */
  private applyUpdate(message: PrivateMessageFrame): void {
    const me = this.session.user()?.id;
    const peerId = message.sender_id === me ? message.recipient : message.sender_id;
    const thread = this.threadSignal();
    if (thread?.replies.some((reply) => reply.id === message.id)) this.threadSignal.set({ ...thread, replies: mergeReplies(thread.replies, [message]) });
    if (!this.conversationsSignal()[peerId]) return;
    this.update(peerId, undefined, (c) => {
      const at = c.messages.findIndex((candidate) => candidate.id === message.id);
      if (at < 0 || (c.messages[at].rev ?? 0) > (message.rev ?? 0)) return c;
      return { ...c, messages: c.messages.map((candidate, i) => (i === at ? message : candidate)) };
    });
  }

  private onFrame(frame: ServerFrame): void {
    if (frame.type === 'message_updated' && frame.message.type === 'private') return this.applyUpdate(frame.message);
    if (frame.type !== 'private') return;
    const me = this.session.user()?.id;
    const mine = frame.sender_id === me;
    const peerId = mine ? frame.recipient : frame.sender_id;
    if (mine) this.outbox.acknowledge(frame.client_id);
    const thread = this.threadSignal();
    if (thread && frame.reply_to === thread.parentId) this.threadSignal.set({ ...thread, replies: mergeReplies(thread.replies, [frame]) });
    this.update(peerId, mine ? undefined : frame.sender, (c) => {
      const messages = appendLive(c.messages, frame);
      if (messages === c.messages) return c;
      return { ...c, messages, last: newer(c.last, frame) };
    });
  }

  private update(peerId: string, peerName: string | undefined, change: (c: Conversation) => Conversation): void {
    this.conversationsSignal.update((all) => {
      const current = all[peerId] ?? emptyConversation(peerId, peerName ?? peerId);
      const named = peerName && current.peerName !== peerName ? { ...current, peerName } : current;
      return { ...all, [peerId]: change(named) };
    });
  }
}

function emptyConversation(peerId: string, peerName: string): Conversation {
  return { peerId, peerName, messages: [], loaded: false, loading: false, hasOlder: false, loadingOlder: false, error: null };
}

function newer(a: PrivateMessageFrame | undefined, b: PrivateMessageFrame | undefined): PrivateMessageFrame | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.timestamp >= a.timestamp ? b : a;
}

/** Replies each once (the newer state of one wins), in the conversation's order. */
function mergeReplies(known: readonly PrivateMessageFrame[], more: readonly PrivateMessageFrame[]): readonly PrivateMessageFrame[] {
  const byId = new Map(known.map((message) => [message.id, message]));
  for (const message of more) {
    const current = byId.get(message.id);
    if (!current || (current.rev ?? 0) <= (message.rev ?? 0)) byId.set(message.id, message);
  }
  return [...byId.values()].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || a.timestamp.localeCompare(b.timestamp));
}
