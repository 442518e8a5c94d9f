import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { TargetAddress } from './messages';
import { openRawContract, WELCOME_MARK } from './raw-socket';

/** A client-to-server frame of the contract. */
export type OutFrame =
  | { type: 'text'; content: string; room: string }
  | { type: 'text'; content: string; recipient: string }
  | { type: 'join_room' | 'leave_room'; content: string };

/** Receives what the server sends one client. */
export interface FrameSink {
  /** A raw JSON frame (our contract). */
  raw(frame: Buffer): void;
  /** A frame Socket.IO already decoded, with its event name. */
  decoded(type: string, frame: Record<string, unknown>): void;
  closed(): void;
}

export interface BenchSocket {
  send(frame: OutFrame): void;
  readonly open: boolean;
  close(): Promise<void>;
}

export interface OpenOptions {
  userId: string;
  username: string;
  localAddress?: string;
  timeoutMs: number;
  /** Contract servers: open the connection with the lean raw-socket client (raw-socket.ts) instead of `ws`. */
  rawHandshake?: boolean;
}

/** Opens one client connection; resolves once the server's welcome frame arrived. */
export function openSocket(target: TargetAddress, options: OpenOptions, sink: FrameSink): Promise<BenchSocket> {
  if (target.protocol === 'socketio') return openSocketIo(target, options, sink);
  return options.rawHandshake ? openRawContract(target, options, sink) : openContract(target, options, sink);
}


function openContract(target: TargetAddress, options: OpenOptions, sink: FrameSink): Promise<BenchSocket> {
  const query = new URLSearchParams({ user_id: options.userId, username: options.username, protocol: '2' });
  const ws = new WebSocket(`ws://${target.host}:${target.port}/api/ws?${query}`, {
    perMessageDeflate: false,
    // The generator trusts the server's UTF-8: validating it would cost the generator, not the server.
    skipUTF8Validation: true,
    localAddress: options.localAddress,
    handshakeTimeout: options.timeoutMs,
  });
  const socket: BenchSocket = {
    send: (frame) => ws.send(JSON.stringify(frame)),
    get open() {
      return ws.readyState === WebSocket.OPEN;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.terminate();
      }),
  };
  return untilWelcome(socket, options.timeoutMs, () => ws.terminate(), (welcome, fail) => {
    ws.on('message', (data: Buffer) => {
      if (welcome.done) return sink.raw(data);
      if (data.indexOf(WELCOME_MARK) >= 0) welcome.arrived();
    });
    ws.on('error', (error) => fail(error));
    ws.on('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode} on upgrade`)));
    ws.on('close', () => {
      if (welcome.done) sink.closed();
      else fail(new Error('closed before the welcome frame'));
    });
  });
}

function openSocketIo(target: TargetAddress, options: OpenOptions, sink: FrameSink): Promise<BenchSocket> {
  const client: Socket = io(`http://${target.host}:${target.port}`, {
    transports: target.socketioTransports,
    query: { user_id: options.userId, username: options.username },
    reconnection: false,
    forceNew: true,
    timeout: options.timeoutMs,
    localAddress: options.localAddress,
  } as Parameters<typeof io>[1]);
  const socket: BenchSocket = {
    send: (frame) => client.emit(frame.type, frame),
    get open() {
      return client.connected;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!client.connected) {
          client.close();
          return resolve();
        }
        client.once('disconnect', () => resolve());
        client.close();
      }),
  };
  return untilWelcome(socket, options.timeoutMs, () => client.close(), (welcome, fail) => {
    client.onAny((type: string, frame: Record<string, unknown>) => {
      if (welcome.done) return sink.decoded(type, frame);
      if (type === 'system') welcome.arrived();
    });
    client.on('connect_error', (error) => fail(error));
    client.on('disconnect', () => {
      if (welcome.done) sink.closed();
    });
  });
}

/**
 * Resolves with `socket` once `listen`'s handlers call `welcome.arrived()`;
 * rejects (and `stop`s the connection) on `fail` or when no welcome frame
 * came within `timeoutMs`. After the welcome, `fail` only stops it.
 */
function untilWelcome(
  socket: BenchSocket,
  timeoutMs: number,
  stop: () => void,
  listen: (welcome: { done: boolean; arrived(): void }, fail: (error: Error) => void) => void,
): Promise<BenchSocket> {
  return new Promise<BenchSocket>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('no welcome frame in time')), timeoutMs);
    const welcome = {
      done: false,
      arrived(): void {
        welcome.done = true;
        clearTimeout(timer);
        resolve(socket);
      },
    };
    const fail = (error: Error): void => {
      clearTimeout(timer);
      if (!welcome.done) reject(error);
      stop();
    };
    listen(welcome, fail);
  });
}
