import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import type { PrivateMessageFrame, ServerFrame } from '@chatstream/protocol';
import { ChatSocket } from '../core/chat-socket.service';
import { ACK_TIMEOUT_MS } from '../core/config';
import { Outbox, type PendingMessage } from '../core/outbox';
import { SessionStore } from '../session/session.store';

export interface Conversation {
  peerId: string;
  peerName: string;
  messages: readonly PrivateMessageFrame[];
  unread: number;
}

/**
 * Private chats. The server keeps no readable history of them, so the
 * conversations live in memory for the session: whatever arrives over the
 * socket, grouped by the other person.
 */
@Injectable()
export class PrivateChatStore {
  private readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);

  readonly outbox = new Outbox(
    this.socket,
    (recipient, content, clientId) => ({ type: 'text', content, recipient, client_id: clientId }),
    inject(ACK_TIMEOUT_MS),
  );
  private readonly conversationsSignal = signal<Readonly<Record<string, Conversation>>>({});
  private readonly openPeerSignal = signal<string | null>(null);

  readonly conversations = this.conversationsSignal.asReadonly();
  /** The peer whose dialog is open. */
  readonly openPeer = this.openPeerSignal.asReadonly();
  readonly totalUnread = computed(() => Object.values(this.conversationsSignal()).reduce((sum, c) => sum + c.unread, 0));

  constructor() {
    const subscriptions = [
      this.socket.frames$.subscribe((frame) => this.onFrame(frame)),
      // A message whose echo was lost with the socket goes again on the next open; its client_id keeps it single.
      this.socket.dropped$.subscribe(() => this.outbox.connectionLost()),
      this.socket.opened$.subscribe(() => this.outbox.resendUnconfirmed()),
    ];
    inject(DestroyRef).onDestroy(() => {
      subscriptions.forEach((subscription) => subscription.unsubscribe());
      this.outbox.dispose();
    });
  }

  conversation(peerId: string): Conversation | undefined {
    return this.conversationsSignal()[peerId];
  }

  unreadFrom(peerId: string): number {
    return this.conversationsSignal()[peerId]?.unread ?? 0;
  }

  pendingTo(peerId: string): PendingMessage[] {
    return this.outbox.forTarget(peerId);
  }

  /** The dialog with this peer opened: their messages are read. */
  open(peerId: string, peerName: string): void {
    this.openPeerSignal.set(peerId);
    this.update(peerId, peerName, (c) => ({ ...c, unread: 0 }));
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

  private onFrame(frame: ServerFrame): void {
    if (frame.type !== 'private') return;
    const me = this.session.user()?.id;
    const mine = frame.sender_id === me;
    const peerId = mine ? frame.recipient : frame.sender_id;
    if (mine) this.outbox.acknowledge(frame.client_id);
    const read = mine || this.openPeerSignal() === peerId;
    this.update(peerId, mine ? undefined : frame.sender, (c) =>
      c.messages.some((m) => m.id === frame.id)
        ? c
        : { ...c, messages: [...c.messages, frame], unread: read ? c.unread : c.unread + 1 },
    );
  }

  private update(peerId: string, peerName: string | undefined, change: (c: Conversation) => Conversation): void {
    this.conversationsSignal.update((all) => {
      const current = all[peerId] ?? { peerId, peerName: peerName ?? peerId, messages: [], unread: 0 };
      const named = peerName && current.peerName !== peerName ? { ...current, peerName } : current;
      return { ...all, [peerId]: change(named) };
    });
  }
}
