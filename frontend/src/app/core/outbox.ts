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
 * not back yet; `unconfirmed`: the socket dropped before the echo, to be
 * checked against history; `failed`: not delivered (retry or discard).
 */
export type PendingStatus = 'queued' | 'sending' | 'unconfirmed' | 'failed';

/** A message of one's own that the server has not echoed yet. */
export interface PendingMessage {
  localId: string;
  /** Room id or recipient user id. */
  target: string;
  content: string;
  status: PendingStatus;
  /** Client clock, ms. */
  createdAt: number;
}

let counter = 0;

/**
 * One's own messages between "Send" and the server's echo (which is the
 * acknowledgement: it carries no client id, so it is matched on target and
 * content, oldest first). Nothing leaves this list silently: it is echoed,
 * or marked failed and left for the user to retry or discard.
 */
export class Outbox {
  private readonly itemsSignal = signal<readonly PendingMessage[]>([]);
  readonly items = this.itemsSignal.asReadonly();
  readonly count = computed(() => this.itemsSignal().length);
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly socket: ChatSocket,
    /** The frame that carries a message to its target (a room or a user). */
    private readonly frameFor: (target: string, content: string) => ClientFrame,
    private readonly ackTimeoutMs: number,
  ) {}

  /** Sends a message (now, or when the socket is back); returns why it is refused, or null. */
  send(target: string, content: string): string | null {
    const problem = contentProblem(content);
    if (problem) return problem;
    const pending: PendingMessage = { localId: `local-${Date.now()}-${++counter}`, target, content, status: 'queued', createdAt: Date.now() };
    this.itemsSignal.update((items) => [...items, pending]);
    this.transmit(pending);
    return null;
  }

  /** Sends a pending message again (after a failure, or when history did not have it). */
  retry(localId: string): void {
    const pending = this.find(localId);
    if (pending) this.transmit(pending);
  }

  forTarget(target: string): PendingMessage[] {
    return this.itemsSignal().filter((item) => item.target === target);
  }

  private transmit(pending: PendingMessage): void {
    this.setStatus(pending.localId, 'queued');
    this.socket.send(this.frameFor(pending.target, pending.content), () => this.markSent(pending.localId));
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

  /** An echo of one's own message arrived: settles the oldest pending one it matches. */
  acknowledge(target: string, content: string): boolean {
    const match = this.itemsSignal().find((item) => item.target === target && item.content === content);
    if (match) this.remove(match.localId);
    return match !== undefined;
  }

  /** The socket dropped: messages written but not echoed are in doubt. */
  connectionLost(inDoubt: 'unconfirmed' | 'failed'): void {
    for (const item of this.itemsSignal()) {
      if (item.status === 'sending') {
        clearTimeout(this.timers.get(item.localId));
        this.setStatus(item.localId, inDoubt);
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
