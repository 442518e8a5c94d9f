import { computed, signal } from '@angular/core';
import { MAX_CONTENT_LENGTH, type ClientFrame } from '@chatstream/protocol';
import type { ChatSocket } from './chat-socket.service';

/** Why a message cannot be sent, or null. The composer shows the same rule as one types. */
export function contentProblem(content: string): string | null {
  if (content.trim().length === 0) return 'Type a message first.';
  if (content.length > MAX_CONTENT_LENGTH) {
    return `Too long: ${content.length.toLocaleString('en-US')} characters, at most ${MAX_CONTENT_LENGTH.toLocaleString('en-US')}.`;
  }
  return null;
}

/**
 * `queued`: waiting for a connection; `sending`: written to the socket, echo
 * not back yet; `unconfirmed`: the socket dropped before the echo, sent again
 * on the next open; `failed`: no echo in time (retry or discard).
 */
export type PendingStatus = 'queued' | 'sending' | 'unconfirmed' | 'failed';

/** A message of one's own that the server has not echoed yet. */
export interface PendingMessage {
  localId: string;
  /**
   * The idempotency key the server stores with the message: the echo carries
   * it back, and sending the message again under it never stores it twice.
   */
  clientId: string;
  /** Room id or recipient user id. */
  target: string;
  content: string;
  status: PendingStatus;
  /** Client clock, ms. */
  createdAt: number;
}

let counter = 0;

/**
 * A fresh `client_id`: a random UUID, so two tabs or devices never share one.
 * `crypto.randomUUID` exists only in secure contexts (https, localhost); a
 * server reached over plain http on a LAN gets the same from getRandomValues.
 */
export function newClientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * One's own messages between "Send" and the server's echo. Each carries a
 * `client_id`; the echo (live, or found in history) carries it back and is
 * the acknowledgement, so another tab sending the same words settles nothing
 * here. As the server stores a `client_id` once, a message in doubt is simply
 * sent again: a repeat answers the stored message. Nothing leaves this list
 * silently: it is echoed, or marked failed and left for the user to retry or
 * discard.
 */
export class Outbox {
  private readonly itemsSignal = signal<readonly PendingMessage[]>([]);
  readonly items = this.itemsSignal.asReadonly();
  readonly count = computed(() => this.itemsSignal().length);
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly socket: ChatSocket,
    /** The frame that carries a message to its target (a room or a user). */
    private readonly frameFor: (target: string, content: string, clientId: string) => ClientFrame,
    private readonly ackTimeoutMs: number,
  ) {}

  /** Sends a message (now, or when the socket is back); returns why it is refused, or null. */
  send(target: string, content: string): string | null {
    const problem = contentProblem(content);
    if (problem) return problem;
    const pending: PendingMessage = {
      localId: `local-${Date.now()}-${++counter}`,
      clientId: newClientId(),
      target,
      content,
      status: 'queued',
      createdAt: Date.now(),
    };
    this.itemsSignal.update((items) => [...items, pending]);
    this.transmit(pending);
    return null;
  }

  /** Sends a pending message again, under the same client_id (after a failure, or a lost connection). */
  retry(localId: string): void {
    const pending = this.find(localId);
    if (pending) this.transmit(pending);
  }

  /** The socket is open again: every message in doubt goes out again, in the order they were sent. */
  resendUnconfirmed(): void {
    for (const item of this.itemsSignal()) if (item.status === 'unconfirmed') this.transmit(item);
  }

  forTarget(target: string): PendingMessage[] {
    return this.itemsSignal().filter((item) => item.target === target);
  }

  private transmit(pending: PendingMessage): void {
    this.setStatus(pending.localId, 'queued');
    this.socket.send(this.frameFor(pending.target, pending.content, pending.clientId), () => this.markSent(pending.localId));
  }

  /** The frame reached an open socket: now waiting for the echo, for a while. */
  private markSent(localId: string): void {
    this.setStatus(localId, 'sending');
    clearTimeout(this.timers.get(localId));
    this.timers.set(
      localId,
      setTimeout(() => {
        this.timers.delete(localId);
        if (this.find(localId)?.status === 'sending') this.setStatus(localId, 'failed');
      }, this.ackTimeoutMs),
    );
  }

  /** One's own message came back (live or in history) with this client_id: it is stored. */
  acknowledge(clientId: string | undefined): boolean {
    if (clientId === undefined) return false;
    const match = this.itemsSignal().find((item) => item.clientId === clientId);
    if (match) this.remove(match.localId);
    return match !== undefined;
  }

  /** The socket dropped: messages written but not echoed are in doubt, to be sent again on the next open. */
  connectionLost(): void {
    for (const item of this.itemsSignal()) {
      if (item.status === 'sending') {
        clearTimeout(this.timers.get(item.localId));
        this.setStatus(item.localId, 'unconfirmed');
      }
    }
  }

  private setStatus(localId: string, status: PendingStatus): void {
    this.itemsSignal.update((items) => items.map((item) => (item.localId === localId ? { ...item, status } : item)));
  }

  find(localId: string): PendingMessage | undefined {
    return this.itemsSignal().find((item) => item.localId === localId);
  }

  remove(localId: string): void {
    clearTimeout(this.timers.get(localId));
    this.timers.delete(localId);
    this.itemsSignal.update((items) => items.filter((item) => item.localId !== localId));
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
