import { randomUUID } from 'node:crypto';
import { nowMs } from '../clock';
import { httpLoad, type HttpLoadResult } from '../generator/http-load';
import type { TargetAddress } from '../generator/messages';
import { openSocket, type BenchSocket } from '../generator/transports';
import { createRooms, startServer, type ServerSpec } from '../servers';
import { settle } from './session';

/** Reads before the measured ones (see HttpLoadOptions.warmupMs). */
export const WARMUP_MS = 1000;

export interface HistoryOptions {
  /** Messages written to the room first. */
  messages: number;
  size: number;
  /** GETs per second, newest page and deep page in turn. */
  rate: number;
  durationMs: number;
  connections: number;
}

export interface HistoryResult {
  seeded: number;
  seedPerSecond: number;
  reads: HttpLoadResult;
  serverCpuMs: number;
  /** Server CPU per answered request, µs. */
  cpuUsPerRequest: number;
  rssKB: number;
}

/** Pages the history scenario reads: the newest 50, and 50 older than a message near the start. */
export function historyPaths(roomId: string, deepBefore: string): Array<{ name: string; path: string; group: 'pages' }> {
  const base = `/api/rooms/${encodeURIComponent(roomId)}/messages?limit=50`;
  return [
    { name: 'newest', path: base, group: 'pages' },
    { name: 'deep', path: `${base}&before=${encodeURIComponent(deepBefore)}`, group: 'pages' },
  ];
}

/** Fills a room over the WebSocket (the server's own write path), then reads its history over REST. */
export async function historyReads(spec: ServerSpec, options: HistoryOptions): Promise<HistoryResult> {
  const server = await startServer(spec);
  try {
    const [roomId] = await createRooms(server.url, ['bench history']);
    const started = nowMs();
    const ids = await seedRoom(server.target, roomId, options.messages, options.size);
    const seedPerSecond = (ids.length * 1000) / (nowMs() - started);
    await settle(server.pid);
    const deep = ids[Math.min(ids.length - 1, 100)];
    const load = { baseUrl: server.url, paths: historyPaths(roomId, deep), rate: options.rate, connections: options.connections };
    // Untimed warm-up: the server's first requests on this route compile it.
    await httpLoad({ ...load, durationMs: WARMUP_MS });
    server.proc.begin();
    const reads = await httpLoad({ ...load, durationMs: options.durationMs });
    const window = server.proc.end();
    return {
      seeded: ids.length,
      seedPerSecond,
      reads,
      serverCpuMs: window.cpuMs,
      cpuUsPerRequest: reads.ok > 0 ? (window.cpuMs * 1000) / reads.ok : 0,
      rssKB: window.rssKB,
    };
  } finally {
    await server.stop();
  }
}

/**
 * One client joins the room and sends `count` messages, at most 100
 * unacknowledged at a time (its own copy is the acknowledgement); returns
 * the message ids in order.
 */
export async function seedRoom(target: TargetAddress, roomId: string, count: number, size: number): Promise<string[]> {
  const me = `seeder-${randomUUID().slice(0, 8)}`;
  const ids: string[] = [];
  let joined: () => void = () => undefined;
  let acked: () => void = () => undefined;
  const onFrame = (frame: Record<string, unknown>): void => {
    if (frame.type === 'join' && frame.user_id === me) joined();
    if (frame.type === 'text' && frame.sender_id === me) {
      ids.push(String(frame.id));
      acked();
    }
    if (frame.type === 'error') throw new Error(`seeding ${roomId}: ${String(frame.content)}`);
  };
  const socket: BenchSocket = await openSocket(
    target,
    { userId: me, username: me, timeoutMs: 10_000 },
    { raw: (data) => onFrame(JSON.parse(data.toString()) as Record<string, unknown>), decoded: (_type, frame) => onFrame(frame), closed: () => undefined },
  );
  await new Promise<void>((resolve) => {
    joined = resolve;
    socket.send({ type: 'join_room', content: roomId });
  });
  const filler = 'h'.repeat(size);
  let sent = 0;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (sent < count && sent - ids.length < 100) socket.send({ type: 'text', content: `${sent++} ${filler}`.slice(0, size), room: roomId });
      if (ids.length >= count) resolve();
    };
    acked = pump;
    pump();
  });
  await socket.close();
  return ids;
}
