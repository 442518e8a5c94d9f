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
  return new Promise<BenchSocket>((resolve, reject) => {
    let welcomed = false;
    const timer = setTimeout(() => fail(new Error('no welcome frame in time')), options.timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      if (!welcomed) reject(error);
      ws.terminate();
    };
    ws.on('message', (data: Buffer) => {
      if (welcomed) return sink.raw(data);
      if (data.indexOf(WELCOME_MARK) < 0) return;
      welcomed = true;
      clearTimeout(timer);
      resolve(socket);
    });
    ws.on('error', (error) => fail(error));
    ws.on('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode} on upgrade`)));
    ws.on('close', () => {
      if (welcomed) sink.closed();
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
  return new Promise<BenchSocket>((resolve, reject) => {
    let welcomed = false;
    const timer = setTimeout(() => fail(new Error('no welcome frame in time')), options.timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      if (!welcomed) reject(error);
      client.close();
    };
    client.onAny((type: string, frame: Record<string, unknown>) => {
      if (welcomed) return sink.decoded(type, frame);
      if (type !== 'system') return;
      welcomed = true;
      clearTimeout(timer);
      resolve(socket);
    });
    client.on('connect_error', (error) => fail(error));
    client.on('disconnect', () => {
      if (welcomed) sink.closed();
    });
  });
}
