/**
 * What the standalone benches (scale-out, client-id, accounts, burst) share: a few rooms of
 * level-2 members on one or more running servers, one sender per room, a
 * fixed offered rate, and the options they read from the command line.
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { count } from './args';
import { nowMs, sleep } from './clock';
import { createRooms, type RunningServer } from './servers';

export interface Member {
  ws: WebSocket;
  /** Index of the server it is connected to. */
  server: number;
  room: number;
}

/**
 * Creates `rooms` rooms on the first server and connects `members` users to
 * each, spread over the servers in turn (member m of a room on server
 * m mod servers); `onFrame` gets every frame each one receives.
 */
export async function joinRooms(
  servers: RunningServer[],
  shape: { rooms: number; members: number; prefix: string },
  onFrame: (member: Member, data: string) => void,
): Promise<{ roomIds: string[]; members: Member[][] }> {
  const roomIds = await createRooms(
    servers[0].url,
    Array.from({ length: shape.rooms }, (_, r) => `${shape.prefix}-${r}`),
  );
  const members: Member[][] = [];
  for (let r = 0; r < shape.rooms; r++) {
    members.push([]);
    for (let m = 0; m < shape.members; m++) {
      const server = m % servers.length;
      const ws = new WebSocket(`ws://127.0.0.1:${servers[server].port}/api/ws?user_id=${shape.prefix}-${r}-${m}&username=u${m}&protocol=2`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const member = { ws, server, room: r };
      ws.on('message', (data) => onFrame(member, data.toString()));
      ws.send(JSON.stringify({ type: 'join_room', content: roomIds[r] }));
      members[r].push(member);
    }
  }
  await sleep(500);
  return { roomIds, members };
}

export function closeMembers(members: Member[][]): void {
  for (const room of members) for (const member of room) member.ws.terminate();
}

/** Calls `send(k)` for k = 0 … count-1, message k due at start + k/rate (open loop). */
export async function sendAtRate(rate: number, count: number, send: (k: number) => void): Promise<void> {
  const start = nowMs();
  for (let k = 0; k < count; k++) {
    const wait = start + (k / rate) * 1000 - nowMs();
    if (wait > 1) await sleep(wait);
    send(k);
  }
}

/** 120 characters that pad a message to about 150 bytes. */
export const FILLER = 'x'.repeat(120);

/** `--name=N` options of whole numbers (a list for `lists`), with defaults; anything else is an error. */
export function numberOptions<N extends string, L extends string>(
  argv: string[],
  numbers: Record<N, number>,
  lists: Record<L, number[]> = {} as Record<L, number[]>,
): Record<N, number> & Record<L, number[]> {
  const names = [...Object.keys(numbers), ...Object.keys(lists)];
  const { values } = parseArgs({ args: argv, strict: true, options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])) });
  const whole = (name: string, text: string): number => count(name, text, 1, '');
  const out: Record<string, number | number[]> = {};
  for (const [name, fallback] of Object.entries<number>(numbers)) out[name] = values[name] === undefined ? fallback : whole(name, values[name] as string);
  for (const [name, fallback] of Object.entries<number[]>(lists)) {
    const text = values[name] as string | undefined;
    out[name] = text === undefined ? fallback : text.split(',').map((part) => whole(name, part));
  }
  return out as Record<N, number> & Record<L, number[]>;
}

/** "Generated <date> by `command`" for a section's first line. */
export const generated = (command: string): string => `_Generated ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`${command}\`._`;

/**
 * `run(item, round)` for each item in turn, `rounds` times, the order
 * reversed every other round so that a trend in the machine's other load
 * favours none; the results of each item in round order.
 */
export async function interleaved<I, T>(items: readonly I[], rounds: number, run: (item: I, round: number) => Promise<T>): Promise<Map<I, T[]>> {
  const results = new Map(items.map((item) => [item, [] as T[]]));
  for (let round = 0; round < rounds; round++) {
    for (const item of round % 2 === 0 ? items : [...items].reverse()) (results.get(item) as T[]).push(await run(item, round));
  }
  return results;
}
