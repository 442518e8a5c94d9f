import { createServer } from 'node:http';
import { CloseCode, MAX_BUFFERED_BYTES, MAX_FRAME_BYTES, type ErrorFrame, type ServerFrame } from '@chatstream/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { listenAddress, MemoryChat, type User } from './memory-chat';

/**
 * Baseline 1: the fastest simple design of our contract (level 2) on a bare
 * `ws` server. A frame is serialized to one Buffer per fan-out and that
 * Buffer is written to every recipient socket.
 */
const chat = new MemoryChat();
const byUser = new Map<string, Set<Conn>>();
const byRoom = new Map<string, Set<Conn>>();

interface Conn {
  ws: WebSocket;
  user: User;
}

const TEXT = { binary: false } as const;

function write(conn: Conn, data: Buffer): void {
  if (conn.ws.readyState !== 1) return;
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
      if (delivery.to === 'room') return toConns(byRoom.get(delivery.room) ?? [], delivery.frame);
      return toUsers(delivery.users, delivery.frame);
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
