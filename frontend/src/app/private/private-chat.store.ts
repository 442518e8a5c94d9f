import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import type { PrivateMessageFrame, ServerFrame } from '@chatstream/protocol';
import { ApiClient, errorMessage } from '../core/api-client';
import { ChatSocket } from '../core/chat-socket.service';
import { ACK_TIMEOUT_MS } from '../core/config';
import { Outbox, type PendingMessage } from '../core/outbox';
import { CATCH_UP_PAGE, FIRST_PAGE, OLDER_PAGE } from '../chat/chat.store';
import { SessionStore } from '../session/session.store';
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

  /** A private message changed: its conversation shows the newer state. */
  private applyUpdate(message: PrivateMessageFrame): void {
    const me = this.session.user()?.id;
    const peerId = message.sender_id === me ? message.recipient : message.sender_id;
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
