import type { DeliveryCounts } from '../stats/delivery';
import type { HistogramData } from '../stats/histogram';

/** How the generator talks to a server: our WebSocket contract, or Socket.IO events with the same shapes. */
export type Protocol = 'contract' | 'socketio';

export interface TargetAddress {
  protocol: Protocol;
  host: string;
  port: number;
  /** Socket.IO client transports; undefined = the client's defaults (polling, then upgrade). */
  socketioTransports?: Array<'polling' | 'websocket'>;
}

/**
 * Who talks to whom. Client `i` is user `<prefix><i>`.
 * - rooms: client i is a member of `roomIds[i % roomIds.length]`;
 * - pairs: clients 2k and 2k+1 write to each other (private messages);
 * - none: connections only.
 */
export type Layout = { kind: 'rooms'; roomIds: string[] } | { kind: 'pairs' } | { kind: 'none' };

export interface ConnectCommand {
  cmd: 'connect';
  target: TargetAddress;
  /** The block of client indices this worker owns. */
  from: number;
  to: number;
  total: number;
  prefix: string;
  layout: Layout;
  /** Connections in flight at once, in this worker. */
  concurrency: number;
  /** Loopback source addresses to spread connections over (ephemeral ports are per address). */
  localAddresses: string[];
  timeoutMs: number;
  /** Contract servers: connect with the lean raw-socket client (the connect storm). */
  rawHandshake?: boolean;
}

export interface StepCommand {
  cmd: 'step';
  step: number;
  /** Wall-clock ms when sending starts (same clock in every thread). */
  startAt: number;
  warmupMs: number;
  durationMs: number;
  /** Messages per second this worker sends, spread evenly over its clients. */
  rate: number;
  size: number;
}

export type Command =
  | ConnectCommand
  | { cmd: 'join'; timeoutMs: number }
  | StepCommand
  | { cmd: 'expect'; step: number; sent: number[]; drainMs: number }
  | { cmd: 'close' };

export interface ConnectReply {
  reply: 'connected';
  ok: number;
  failed: number;
  /** Wall-clock ms of the first connection attempt and of the last welcome frame. */
  firstStart: number;
  lastDone: number;
  latency: HistogramData;
  errors: string[];
}

export interface SentReply {
  reply: 'sent';
  step: number;
  /** [client index, messages sent] for this worker's senders. */
  sent: Array<[number, number]>;
  /** Sends skipped because the sender's socket was closed. */
  skipped: number;
  lag: HistogramData;
}

export interface ResultReply {
  reply: 'result';
  step: number;
  latency: HistogramData;
  delivery: DeliveryCounts;
  /** Step frames received inside the measurement window. */
  windowFrames: number;
  /** Frames of an earlier step that arrived late. */
  stale: number;
  errorFrames: number;
  errors: string[];
  /** Clients whose connection closed during the step. */
  disconnected: number;
  drainMs: number;
}

export type Reply =
  | ConnectReply
  | { reply: 'joined'; ok: number; failed: number; errors: string[] }
  | SentReply
  | ResultReply
  | { reply: 'closed' }
  | { reply: 'failed'; error: string };
