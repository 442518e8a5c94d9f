import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { RoomMessageFrame, ServerFrame } from '@chatstream/protocol';
import { cluster, clusterSkipReason, stop } from './cluster-helpers';
import { postgresDatabase } from './databases';
import { sleep } from './harness';
import { startProcess, type ServerProcess } from './processes';
import { TcpProxy } from './tcp-proxy';

/*
 * Exactly once, in order, after anything: 20 clients in 3 rooms send
 * messages with client_ids through a proxy that keeps cutting connections;
 * midway the server (one instance) is killed with SIGKILL and started again.
 * Each client does what docs/protocol.md tells a client to do: resend what
 * it has no acknowledgement for after every reconnect, and catch up with
 * after=<last seq>. At the end every client's view of every room is the
 * room's history, and history holds every acknowledged message once.
 */

const CLIENTS = 20;
const ROOMS = 3;
const MESSAGES_PER_CLIENT = 15;
const PAGE = 200;

interface Pending {
  room: string;
  content: string;
  /** Client clock (ms) of every time it was written to a socket. */
  sentAt: number[];
}

interface Tally {
  reconnects: number;
  resends: number;
  duplicateFrames: number;
  catchUpPages: number;
  problems: string[];
}

/** A client that follows the recipe: keep what is unacknowledged, resend it on every open, catch up with after=. */
class ChaosClient {
  private socket?: WebSocket;
  private stopped = false;
  private sent = 0;
  /** client_id -> message, in the order sent; removed on acknowledgement. */
  readonly pending = new Map<string, Pending>();
  readonly acked = new Map<string, RoomMessageFrame & { sentAt: number[] }>();
  /** room -> seq -> message id, as this client saw it (live or caught up). */
  readonly view = new Map<string, Map<number, string>>();

  constructor(
    readonly userId: string,
    private readonly rooms: string[],
    private readonly base: () => string,
    private readonly tally: Tally,
  ) {
    for (const room of rooms) this.view.set(room, new Map());
  }

  /** First connection: joins the rooms (membership lasts across reconnects at level 2). */
  async start(): Promise<void> {
    const socket = await this.open();
    for (const room of this.rooms) {
      const joined = new Promise<void>((resolve) => {
        const onMessage = (data: WebSocket.RawData) => {
          const frame = JSON.parse(data.toString()) as ServerFrame;
          if (frame.type === 'join' && frame.room === room && frame.user_id === this.userId) {
            socket.off('message', onMessage);
            resolve();
          }
        };
        socket.on('message', onMessage);
      });
      socket.send(JSON.stringify({ type: 'join_room', content: room }));
      await joined;
    }
  }

  /** Sends the next message to a random room: unacknowledged until its own copy comes back. */
  sendNext(): void {
    const clientId = `${this.userId}-${++this.sent}`;
    const room = this.rooms[Math.floor(Math.random() * this.rooms.length)];
    const pending = { room, content: `message ${this.sent} of ${this.userId}`, sentAt: [] };
    this.pending.set(clientId, pending);
    this.write(clientId, pending);
  }

  stop(): void {
    this.stopped = true;
    this.socket?.terminate();
  }

  /** The seq up to which this client has every message of the room. */
  through(room: string): number {
    const seen = this.view.get(room) as Map<number, string>;
    let n = 0;
    while (seen.has(n + 1)) n++;
    return n;
  }

  /** Reads what the room's view lacks, page by page, until a short page. */
  async catchUp(room: string): Promise<void> {
    for (;;) {
      const response = await fetch(`${this.base()}/api/rooms/${room}/messages?after=${this.through(room)}&limit=${PAGE}`);
      if (response.status !== 200) throw new Error(`catch-up answered ${response.status}`);
      const { messages } = (await response.json()) as { messages: RoomMessageFrame[] };
      this.tally.catchUpPages++;
      for (const message of messages) this.receive(message);
      if (messages.length < PAGE) return;
    }
  }

  /** Catches up every room, retrying through cuts and restarts (until stopped). */
  async catchUpAll(): Promise<void> {
    for (const room of this.rooms) {
      while (!this.stopped) {
        try {
          await this.catchUp(room);
          break;
        } catch {
          await sleep(50);
        }
      }
    }
  }

  private write(clientId: string, pending: Pending): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return; // goes on the next open
    pending.sentAt.push(Date.now());
    this.socket.send(JSON.stringify({ type: 'text', room: pending.room, content: pending.content, client_id: clientId }));
  }

  private open(): Promise<WebSocket> {
    const query = new URLSearchParams({ user_id: this.userId, username: this.userId, protocol: '2' });
    const socket = new WebSocket(`${this.base().replace('http', 'ws')}/api/ws?${query}`);
    this.socket = socket;
    return new Promise((resolve) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as ServerFrame;
        if (frame.type === 'system') {
          this.opened();
          resolve(socket);
        } else if (frame.type === 'text') {
          this.receive(frame);
        } else if (frame.type === 'error') {
          this.tally.problems.push(`${this.userId} got an error frame: ${frame.content}`);
        }
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (this.stopped || socket !== this.socket) return;
        this.tally.reconnects++;
        setTimeout(() => void this.open(), 20 + Math.random() * 80);
      });
    });
  }

  /** Open again: everything unacknowledged goes again, in order; then what was missed is read. */
  private opened(): void {
    for (const [clientId, pending] of this.pending) {
      if (pending.sentAt.length > 0) this.tally.resends++;
      this.write(clientId, pending);
    }
    void this.catchUpAll();
  }

  private receive(frame: RoomMessageFrame): void {
    const seen = this.view.get(frame.room);
    if (!seen) return;
    const known = seen.get(frame.seq);
    if (known === undefined) seen.set(frame.seq, frame.id);
    else if (known === frame.id) this.tally.duplicateFrames++;
    else this.tally.problems.push(`${this.userId} saw seq ${frame.seq} of ${frame.room} as ${known} and as ${frame.id}`);
    if (frame.sender_id !== this.userId || frame.client_id === undefined) return;
    const pending = this.pending.get(frame.client_id);
    if (pending) {
      this.pending.delete(frame.client_id);
      this.acked.set(frame.client_id, { ...frame, sentAt: pending.sentAt });
    } else {
      const acked = this.acked.get(frame.client_id);
      if (acked && acked.id !== frame.id) this.tally.problems.push(`${frame.client_id} acknowledged as ${acked.id} and as ${frame.id}`);
    }
  }
}

/** A room's whole history, straight from a server. */
async function fullHistory(url: string, room: string): Promise<RoomMessageFrame[]> {
  const all: RoomMessageFrame[] = [];
  for (;;) {
    const response = await fetch(`${url}/api/rooms/${room}/messages?after=${all.length === 0 ? 0 : all[all.length - 1].seq}&limit=${PAGE}`);
    const { messages } = (await response.json()) as { messages: RoomMessageFrame[] };
    all.push(...messages);
    if (messages.length < PAGE) return all;
  }
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

interface Servers {
  instances: ServerProcess[];
  /** SIGKILLs the instance and starts it again on the same storage; answers the new process. */
  restart(victim: ServerProcess): Promise<ServerProcess>;
  close(): Promise<void>;
}

async function chaos(label: string, servers: Servers): Promise<void> {
  const proxy = new TcpProxy(servers.instances.map((instance) => instance.port));
  await proxy.start();
  const base = () => `http://127.0.0.1:${proxy.port}`;
  const tally: Tally = { reconnects: 0, resends: 0, duplicateFrames: 0, catchUpPages: 0, problems: [] };
  const clients: ChaosClient[] = [];
  const phases: string[] = [];
  let phaseStart = Date.now();
  const phase = (name: string) => {
    phases.push(`${name} ${((Date.now() - phaseStart) / 1000).toFixed(1)} s`);
    phaseStart = Date.now();
  };
  try {
    const rooms: string[] = [];
    for (let i = 0; i < ROOMS; i++) {
      const created = (await (await fetch(`${servers.instances[0].url}/api/rooms`, post({ name: `Chaos ${i}` }))).json()) as { room: { id: string } };
      rooms.push(created.room.id);
    }
    for (let i = 0; i < CLIENTS; i++) clients.push(new ChaosClient(`chaos-${i}`, rooms, base, tally));
    await Promise.all(clients.map((client) => client.start()));
    phase('joins');

    proxy.cutRandomly(150, 400);
    const victim = servers.instances[servers.instances.length - 1];
    let killedAt = 0;
    let restarting: Promise<void> | undefined;
    for (let round = 0; round < MESSAGES_PER_CLIENT; round++) {
      for (const client of clients) client.sendNext();
      await sleep(250 + Math.random() * 150);
      if (round === Math.floor(MESSAGES_PER_CLIENT / 2)) {
        killedAt = Date.now();
        // The balancer stops sending to it; clients keep sending meanwhile (alone, into the void until it is back).
        proxy.targets = proxy.targets.filter((port) => port !== victim.port);
        restarting = servers.restart(victim).then((again) => {
          proxy.targets = [...proxy.targets, again.port];
        });
      }
    }
    phase('sending');
    await restarting;
    phase('restart done');
    await sleep(300);
    proxy.stopCutting();

    const settled = await waitFor(() => clients.every((client) => client.pending.size === 0), 20000);
    phase('acknowledged');
    await Promise.all(clients.map((client) => client.catchUpAll()));
    phase('caught up');

    // What history says, read straight from every instance (they must agree).
    const history = new Map<string, RoomMessageFrame[]>();
    for (const room of rooms) {
      const views = await Promise.all(servers.instances.map((instance) => fullHistory(instance.url, room)));
      for (const other of views.slice(1)) expect(other.map((m) => m.id)).toEqual(views[0].map((m) => m.id));
      history.set(room, views[0]);
    }
    const acked = clients.flatMap((client) => [...client.acked.entries()]);
    const stored = new Map<string, RoomMessageFrame[]>();
    for (const messages of history.values()) {
      for (const message of messages) stored.set(message.client_id ?? message.id, [...(stored.get(message.client_id ?? message.id) ?? []), message]);
    }
    const suppressed = acked.reduce((n, [, frame]) => n + frame.sentAt.filter((at) => at > Date.parse(frame.timestamp)).length, 0);
    const total = [...history.values()].reduce((n, messages) => n + messages.length, 0);
    console.log(
      [
        `chaos on ${label}: ${CLIENTS} clients, ${ROOMS} rooms, ${CLIENTS * MESSAGES_PER_CLIENT} messages sent, ${total} stored`,
        `  faults: ${proxy.cuts} connections cut, 1 instance SIGKILLed and restarted ${((Date.now() - killedAt) / 1000).toFixed(1)} s before the end, ${tally.reconnects} reconnects`,
        `  recovery: ${tally.resends} resends of unacknowledged messages, ${suppressed} of them repeats the server suppressed,`,
        `            ${tally.catchUpPages} after= pages read, ${tally.duplicateFrames} frames seen twice (live and caught up) and shown once`,
        `  phases: ${phases.join(', ')}`,
      ].join('\n'),
    );

    expect(tally.problems).toEqual([]);
    expect(settled).toBe(true);
    expect(clients.filter((client) => client.pending.size > 0).map((client) => [...client.pending.keys()])).toEqual([]);
    // Faults happened, or this proves nothing.
    expect(proxy.cuts).toBeGreaterThan(5);
    expect(tally.resends).toBeGreaterThan(0);
    for (const [room, messages] of history) {
      // seq without gaps, in history order.
      expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
      // Every client's view of the room is the room's history: same messages, same order.
      const expected = messages.map((m) => [m.seq, m.id]);
      for (const client of clients) expect([...(client.view.get(room) as Map<number, string>)].sort((x, y) => x[0] - y[0])).toEqual(expected);
    }
    // Every acknowledged message is in history exactly once, as acknowledged; nothing else is.
    for (const [clientId, frame] of acked) {
      expect(stored.get(clientId)?.map((m) => m.id)).toEqual([frame.id]);
    }
    expect(total).toBe(CLIENTS * MESSAGES_PER_CLIENT);
    expect(acked).toHaveLength(CLIENTS * MESSAGES_PER_CLIENT);
  } finally {
    for (const client of clients) client.stop();
    await proxy.close();
    await servers.close();
  }
}

function post(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

async function kill(instance: ServerProcess): Promise<void> {
  if (instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  instance.child.kill('SIGKILL');
  await once(instance.child, 'exit');
}

const QUIET = { LOG_LEVEL: 'warn', RATE_MESSAGES_PER_S: '0' };

/** SIGKILLs `victim` and starts a new process with `env` (same storage) in its place in `instances`. */
function restarterOf(instances: ServerProcess[], env: Record<string, string | undefined>): Servers['restart'] {
  return async (victim) => {
    await kill(victim);
    const again = await startProcess(env);
    instances[instances.indexOf(victim)] = again;
    return again;
  };
}

describe('chaos: cut connections, a SIGKILLed server, resends and catch-up', () => {
  it('on SQLite, one instance: every client ends with the history, every acknowledged message once, seq without gaps', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chatstream-chaos-'));
    const env = { ...QUIET, DATA_DIR: dataDir };
    const instances = [await startProcess(env)];
    await chaos('SQLite', {
      instances,
      restart: restarterOf(instances, env),
      async close() {
        await Promise.all(instances.map(kill));
        rmSync(dataDir, { recursive: true, force: true });
      },
    });
  }, 90000);

  (clusterSkipReason ? it.skip : it)('on PostgreSQL + Redis, two instances, one of them killed', async () => {
    const database = await postgresDatabase();
    const { instances, env } = await cluster(2, database, process.env.REDIS_URL as string, QUIET);
    await chaos('PostgreSQL + Redis, 2 instances', {
      instances,
      restart: restarterOf(instances, env),
      async close() {
        await stop(instances);
        await database.drop();
      },
    });
  }, 90000);
});
