import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import { CloseCode, PROTOCOL_LEVEL_2, type ClientFrame, type ServerFrame } from '@chatstream/protocol';
import { Subject, type Observable, type Subscription } from 'rxjs';
import { webSocket, type WebSocketSubject } from 'rxjs/webSocket';
import { RECONNECT_POLICY, SOCKET_URL, WEB_SOCKET_CTOR } from './config';

/**
 * `connecting`: first attempt; `connected`: open; `reconnecting`: dropped and
 * trying again with backoff; `offline`: not started or stopped.
 */
export type ConnectionState = 'offline' | 'connecting' | 'connected' | 'reconnecting';

export interface SocketUser {
  id: string;
  name: string;
}

/**
 * Who the socket is: a user named in the query (open mode), or whoever the
 * session cookie belongs to (accounts mode: the server ignores a named user).
 */
export type SocketIdentity = SocketUser | 'session-cookie';

/** Ids of frames already passed on, so a frame delivered twice reaches the stores once. */
const SEEN_IDS_KEPT = 5_000;

/**
 * The one WebSocket of the app (protocol level 2), over RxJS `WebSocketSubject`.
 *
 * It reconnects by itself with doubling delays, announces every (re)open on
 * `opened$` before it sends anything else (stores rejoin their rooms there),
 * keeps frames sent while closed in an outbox that it flushes in order on the
 * next open, and drops server frames whose id it has already seen.
 */
@Injectable()
export class ChatSocket {
  private readonly url = inject(SOCKET_URL);
  private readonly ctor = inject(WEB_SOCKET_CTOR);
  private readonly policy = inject(RECONNECT_POLICY);

  private readonly stateSignal = signal<ConnectionState>('offline');
  /** The connection state, for the status line and for pending sends. */
  readonly state = this.stateSignal.asReadonly();

  private readonly framesSubject = new Subject<ServerFrame>();
  /** Every server frame, once. */
  readonly frames$: Observable<ServerFrame> = this.framesSubject.asObservable();

  private readonly openedSubject = new Subject<void>();
  /** Each open, before the outbox is flushed: the place to rejoin rooms. */
  readonly opened$: Observable<void> = this.openedSubject.asObservable();

  private readonly droppedSubject = new Subject<void>();
  /** Each time an open socket closes: frames written since the last echo are in doubt. */
  readonly dropped$: Observable<void> = this.droppedSubject.asObservable();

  private readonly endedSubject = new Subject<void>();
  /** The server closed the socket because its session ended (4001): it stays closed; sign in again. */
  readonly sessionEnded$: Observable<void> = this.endedSubject.asObservable();

  private readonly refusedSubject = new Subject<void>();
  /** An attempt closed before it opened (server away, or the upgrade refused, e.g. 401). */
  readonly refused$: Observable<void> = this.refusedSubject.asObservable();

  private readonly outbox: Array<{ frame: ClientFrame; written?: () => void }> = [];
  private readonly seen = new Set<string>();
  private user?: SocketIdentity;
  private closeCode?: number;
  private subject?: WebSocketSubject<unknown>;
  private subscription?: Subscription;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private attempt = 0;

  constructor() {
    const retryNow = () => {
      if (this.stateSignal() === 'reconnecting') this.retry(0);
    };
    // The browser knows when the network is back before any backoff timer does.
    if (typeof window !== 'undefined') window.addEventListener('online', retryNow);
    inject(DestroyRef).onDestroy(() => {
      if (typeof window !== 'undefined') window.removeEventListener('online', retryNow);
      this.disconnect();
    });
  }

  /** Opens the socket for this user (and keeps it open until `disconnect`). */
  connect(user: SocketIdentity): void {
    // Frames queued before the first connect (a store's first join) are kept.
    clearTimeout(this.retryTimer);
    this.close();
    this.attempt = 0;
    this.user = user;
    this.stateSignal.set('connecting');
    this.open();
  }

  /** Closes the socket, stops reconnecting and forgets the outbox. */
  disconnect(): void {
    this.user = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.close();
    this.outbox.length = 0;
    this.attempt = 0;
    this.stateSignal.set('offline');
  }

  /**
   * Sends now when open, else queues for the next open. `written` runs when
   * the frame has been handed to an open socket.
   */
  send(frame: ClientFrame, written?: () => void): 'sent' | 'queued' {
    if (this.stateSignal() === 'connected' && this.subject) {
      this.subject.next(frame);
      written?.();
      return 'sent';
    }
    this.outbox.push({ frame, written });
    return 'queued';
  }

  /** Frames waiting for a connection. */
  get queued(): number {
    return this.outbox.length;
  }

  private open(): void {
    const user = this.user;
    if (!user) return;
    const query = new URLSearchParams(
      user === 'session-cookie' ? { protocol: PROTOCOL_LEVEL_2 } : { user_id: user.id, username: user.name, protocol: PROTOCOL_LEVEL_2 },
    );
    const subject = webSocket<unknown>({
      url: this.url(query.toString()),
      WebSocketCtor: this.ctor,
      deserializer: (event) => parseFrame(event.data),
      openObserver: { next: () => this.opened(subject) },
      closeObserver: {
        next: (event) => {
          if (subject === this.subject) this.closeCode = event.code;
        },
      },
    });
    this.subject = subject;
    this.subscription = subject.subscribe({
      next: (frame) => this.receive(frame),
      error: () => this.dropped(subject),
      complete: () => this.dropped(subject),
    });
  }

  private opened(subject: WebSocketSubject<unknown>): void {
    if (subject !== this.subject) return;
    this.attempt = 0;
    this.stateSignal.set('connected');
    this.openedSubject.next();
    // A store may have reacted to `opened$` by disconnecting.
    if (subject !== this.subject) return;
    for (const { frame, written } of this.outbox.splice(0)) {
      subject.next(frame);
      written?.();
    }
  }

  private receive(frame: unknown): void {
    if (!isServerFrame(frame)) return;
    if ('id' in frame) {
      if (this.seen.has(frame.id)) return;
      this.seen.add(frame.id);
      if (this.seen.size > SEEN_IDS_KEPT) this.seen.delete(this.seen.values().next().value as string);
    }
    this.framesSubject.next(frame);
  }

  private dropped(subject: WebSocketSubject<unknown>): void {
    if (subject !== this.subject || !this.user) return;
    const wasOpen = this.stateSignal() === 'connected';
    if (this.closeCode === CloseCode.SessionEnded) {
      this.disconnect();
      this.endedSubject.next();
      return;
    }
    if (!wasOpen) this.refusedSubject.next();
    this.close();
    this.stateSignal.set('reconnecting');
    if (wasOpen) this.droppedSubject.next();
    const delay = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** this.attempt);
    this.attempt++;
    // Jitter spreads the reconnects of many clients after a server restart.
    this.retry(delay * (0.75 + Math.random() * 0.5));
  }

  private retry(delayMs: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.open();
    }, delayMs);
  }

  private close(): void {
    this.closeCode = undefined;
    const subscription = this.subscription;
    this.subject = undefined;
    this.subscription = undefined;
    subscription?.unsubscribe();
  }
}

function parseFrame(data: unknown): unknown {
  if (typeof data !== 'string') return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

const SERVER_FRAME_TYPES = new Set<string>(['text', 'private', 'join', 'leave', 'system', 'presence', 'room_created', 'message_updated', 'typing', 'read', 'error']);

function isServerFrame(value: unknown): value is ServerFrame {
  if (typeof value !== 'object' || value === null) return false;
  const { type, id } = value as { type?: unknown; id?: unknown };
  return typeof type === 'string' && SERVER_FRAME_TYPES.has(type) && (id === undefined || typeof id === 'string');
}
