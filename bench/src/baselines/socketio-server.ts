import { createServer } from 'node:http';
import { MAX_FRAME_BYTES, type ErrorFrame } from '@chatstream/protocol';
import { Server, type Socket } from 'socket.io';
import { listenAddress, MemoryChat, type User } from './memory-chat';

/**
 * Baseline 2: the same job as Socket.IO 4 users would write it. Frames keep
 * the contract's shapes and travel as events named after their type
 * (`socket.emit('text', {...})`); rooms are Socket.IO rooms (`socket.join`),
 * each user also has a room of its own (`user:<id>`) for private messages.
 * Socket.IO encodes a broadcast once and writes it to every socket of the room.
 * Server options are Socket.IO's defaults (no compression: perMessageDeflate
 * is off by default); the client picks websocket-only or polling+upgrade.
 */
const chat = new MemoryChat();
const userRoom = (id: string): string => `user:${id}`;

const server = createServer((req, res) => {
  // Socket.IO answers /socket.io/ itself; leave those requests to it.
  if (req.url?.startsWith('/socket.io/')) return;
  if (!chat.handleRest(req, res)) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: 404, message: 'not found', error: 'Not Found' }));
  }
});
const io = new Server(server, { serveClient: false, maxHttpBufferSize: MAX_FRAME_BYTES });

function fail(socket: Socket, reason: string): void {
  const frame: ErrorFrame = { type: 'error', content: reason };
  socket.emit('error', frame);
}

/** Presence goes to the users who share a room with this one. */
function announce(user: User, content: 'online' | 'offline'): void {
  const mates = chat.roommates(user.id);
  if (mates.size > 0) io.to([...mates].map(userRoom)).emit('presence', chat.presence(user, content));
}

io.on('connection', (socket) => {
  const user = MemoryChat.handshake(`/?${new URLSearchParams(socket.handshake.query as Record<string, string>)}`);
  if (typeof user === 'string') {
    fail(socket, user);
    socket.disconnect(true);
    return;
  }
  const first = io.sockets.adapter.rooms.get(userRoom(user.id)) === undefined;
  void socket.join([userRoom(user.id), ...chat.roomsOf(user.id)]);
  socket.emit('system', chat.connected(user));
  if (first) announce(user, 'online');

  socket.on('text', (frame: { content?: unknown; room?: unknown; recipient?: unknown }) => {
    const delivery = chat.post(user, frame ?? {});
    if (typeof delivery === 'string') return fail(socket, delivery);
    if (delivery.to === 'room') io.to(delivery.room).emit('text', delivery.frame);
    else io.to(delivery.users.map(userRoom)).emit('private', delivery.frame);
  });
  socket.on('join_room', (frame: { content?: unknown }) => {
    const result = chat.join(user, frame?.content);
    if (typeof result === 'string') return fail(socket, result);
    // Membership is the user's: every socket of the user joins.
    io.in(userRoom(user.id)).socketsJoin(result.frame.room);
    if (result.joined) io.to(result.frame.room).emit('join', result.frame);
    else socket.emit('join', result.frame);
  });
  socket.on('leave_room', (frame: { content?: unknown }) => {
    const result = chat.leave(user, frame?.content);
    if (typeof result === 'string') return fail(socket, result);
    io.to([result.room, userRoom(user.id)]).emit('leave', result);
    io.in(userRoom(user.id)).socketsLeave(result.room);
  });
  socket.on('disconnect', () => {
    if (io.sockets.adapter.rooms.get(userRoom(user.id)) === undefined) announce(user, 'offline');
  });
});

const { port, host } = listenAddress();
server.listen(port, host);
const stop = (): void => {
  io.disconnectSockets(true);
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
