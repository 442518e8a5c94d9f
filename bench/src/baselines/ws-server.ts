import { createServer } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CloseCode, MAX_BUFFERED_BYTES, MAX_FRAME_BYTES, type ErrorFrame, type ServerFrame } from '@chatstream/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { listenAddress, MemoryChat, type Delivery, type User } from './memory-chat';

/**
 * Baseline 1: the fastest simple design of our contract (level 2) on a bare
 * `ws` server. A frame is serialized to one Buffer per fan-out and that
 * Buffer is written to every recipient socket.
 *
 * With DATA_DIR set it is durable under the contract's storage rule: every
 * message is committed (better-sqlite3, WAL, synchronous=FULL) before anyone
 * receives it; the messages of one event-loop turn share one transaction,
 * committed at the end of that turn (no window).
 *
 * With COMMIT_WINDOW_MS > 0 as well, it batches as ChatStream does by
 * default: a batch's first message waits that long for others, and each
 * recipient socket is corked while the batch is delivered, so the frames a
 * socket gets from one commit leave in one write. This is the simplest
 * program with ChatStream's batching, to tell what the batching itself buys
 * from what ChatStream's own path costs.
 */
const chat = new MemoryChat();
const journal = process.env.DATA_DIR ? openJournal(join(process.env.DATA_DIR, 'baseline.db'), Number(process.env.COMMIT_WINDOW_MS ?? 0)) : undefined;
const byUser = new Map<string, Set<Conn>>();
const byRoom = new Map<string, Set<Conn>>();

interface Conn {
  ws: WebSocket;
  user: User;
}

const TEXT = { binary: false } as const;

interface Corkable {
  cork(): void;
  uncork(): void;
  writableCorked: number;
}

/** While a batch is delivered (COMMIT_WINDOW_MS > 0): the sockets corked so far. */
let corked: Corkable[] | undefined;

function write(conn: Conn, data: Buffer): void {
  if (conn.ws.readyState !== 1) return;
  const tcp = corked && (conn.ws as unknown as { _socket?: Corkable })._socket;
  if (tcp && tcp.writableCorked === 0) {
    tcp.cork();
    corked?.push(tcp);
  }
  conn.ws.send(data, TEXT);
  // Same policy as ChatStream: a client that stopped reading is dropped, not buffered for.
  if (conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) conn.ws.terminate();
}

function toConns(conns: Iterable<Conn>, frame: ServerFrame): void {
  const data = Buffer.from(JSON.stringify(frame));
  for (const conn of conns) write(conn, data);
}

function toUsers(users: Iterable<string>, frame: ServerFrame): void {
  const conns = new Set<Conn>();
  for (const user of users) for (const conn of byUser.get(user) ?? []) conns.add(conn);
  toConns(conns, frame);
}

type Deliver = () => void;
type Row = Delivery['frame'];

/** The durable part: messages of one turn are inserted in one transaction, then delivered. */
function openJournal(file: string, windowMs: number): (frame: Row, deliver: Deliver) => void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, room_id TEXT, recipient_id TEXT, seq INTEGER, sender_id TEXT NOT NULL, sender_name TEXT NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL)',
  );
  const insert = db.prepare('INSERT INTO messages (id, room_id, recipient_id, seq, sender_id, sender_name, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  let rows: Row[] = [];
  let after: Deliver[] = [];
  const commit = db.transaction((batch: typeof rows) => {
    for (const f of batch) {
      if (f.type === 'text') insert.run(f.id, f.room, null, f.seq, f.sender_id, f.sender, f.content, f.timestamp);
      else insert.run(f.id, null, f.recipient, null, f.sender_id, f.sender, f.content, f.timestamp);
    }
  });
  const flush = (): void => {
    const batch = rows;
    const deliveries = after;
    rows = [];
    after = [];
    commit(batch);
    if (windowMs === 0) {
      for (const deliver of deliveries) deliver();
      return;
    }
    corked = [];
    for (const deliver of deliveries) deliver();
    const sockets = corked;
    corked = undefined;
    for (const socket of sockets) socket.uncork();
  };
  return (frame, deliver) => {
    if (rows.push(frame) === 1) {
      if (windowMs > 0) setTimeout(flush, windowMs);
      else setImmediate(flush);
    }
    after.push(deliver);
  };
}

/** Delivers now (in memory) or once committed (durable). */
function afterCommit(frame: Row, deliver: Deliver): void {
  if (journal) journal(frame, deliver);
  else deliver();
}

function subscribe(conn: Conn, room: string): void {
  let set = byRoom.get(room);
  if (!set) byRoom.set(room, (set = new Set()));
  set.add(conn);
}

function fail(conn: Conn, reason: string): void {
  const frame: ErrorFrame = { type: 'error', content: reason };
  toConns([conn], frame);
}

function onFrame(conn: Conn, data: Buffer, isBinary: boolean): void {
  if (isBinary) return fail(conn, 'binary frames are not supported; send JSON text');
  let frame: { type?: unknown; content?: unknown; room?: unknown; recipient?: unknown };
  try {
    frame = JSON.parse(data.toString()) as typeof frame;
  } catch {
    return fail(conn, 'frame is not valid JSON');
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return fail(conn, 'frame must be a JSON object');
  switch (frame.type) {
    case 'text': {
      const delivery = chat.post(conn.user, frame);
      if (typeof delivery === 'string') return fail(conn, delivery);
      if (delivery.to === 'room') return afterCommit(delivery.frame, () => toConns(byRoom.get(delivery.room) ?? [], delivery.frame));
      return afterCommit(delivery.frame, () => toUsers(delivery.users, delivery.frame));
    }
    case 'join_room': {
      const result = chat.join(conn.user, frame.content);
      if (typeof result === 'string') return fail(conn, result);
      for (const mine of byUser.get(conn.user.id) ?? []) subscribe(mine, result.frame.room);
      if (result.joined) toConns(byRoom.get(result.frame.room) ?? [], result.frame);
      else toConns([conn], result.frame);
      return;
    }
    case 'leave_room': {
      const left = chat.leave(conn.user, frame.content);
      if (typeof left === 'string') return fail(conn, left);
      const members = byRoom.get(left.room) ?? new Set<Conn>();
      toConns(new Set([...members, conn]), left);
      for (const mine of byUser.get(conn.user.id) ?? []) members.delete(mine);
      return;
    }
    default:
      return fail(conn, `unknown frame type: ${String(frame.type)}`);
  }
}

/** Presence goes to the connections of users who share a room with this one. */
function announce(user: User, content: 'online' | 'offline'): void {
  const mates = chat.roommates(user.id);
  if (mates.size > 0) toUsers(mates, chat.presence(user, content));
}

const server = createServer((req, res) => {
  if (!chat.handleRest(req, res)) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: 404, message: 'not found', error: 'Not Found' }));
  }
});
const wss = new WebSocketServer({ server, path: '/api/ws', perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES });

wss.on('connection', (ws, req) => {
  const user = MemoryChat.handshake(req.url);
  if (typeof user === 'string') return ws.close(CloseCode.PolicyViolation, user);
  const conn: Conn = { ws, user };
  const welcome = chat.connected(user);
  let mine = byUser.get(user.id);
  const first = !mine;
  if (!mine) byUser.set(user.id, (mine = new Set()));
  mine.add(conn);
  for (const room of chat.roomsOf(user.id)) subscribe(conn, room);
  toConns([conn], welcome);
  if (first) announce(user, 'online');
  ws.on('message', (data: Buffer, isBinary: boolean) => onFrame(conn, data, isBinary));
  ws.on('error', () => undefined);
  ws.on('close', () => {
    for (const room of chat.roomsOf(user.id)) byRoom.get(room)?.delete(conn);
    const set = byUser.get(user.id);
    set?.delete(conn);
    if (set && set.size === 0) {
      byUser.delete(user.id);
      announce(user, 'offline');
    }
  });
});

const { port, host } = listenAddress();
server.listen(port, host);
const stop = (): void => {
  for (const client of wss.clients) client.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
