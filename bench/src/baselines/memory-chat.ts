import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DEFAULT_ROOM_ID,
  DEFAULT_ROOM_NAME,
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  MAX_CONTENT_LENGTH,
  MAX_NAME_LENGTH,
  SYSTEM_SENDER,
  WELCOME_TEXT,
  type MembershipFrame,
  type PresenceFrame,
  type PrivateMessageFrame,
  type Room,
  type RoomMessageFrame,
  type SystemFrame,
} from '@chatstream/protocol';

/**
 * What both baseline servers share: level-2 chat state in process memory
 * (rooms, memberships, known users, every message) and the REST calls the
 * benchmark uses. Deliberately the simplest thing that follows the contract:
 * no storage, no framework, no validation library. The two baselines differ
 * only in transport and fan-out (a bare `ws` server, Socket.IO rooms).
 */

interface RoomState {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  members: Set<string>;
  messages: RoomMessageFrame[];
  /** Message id -> position in `messages`, for `before=`. */
  positions: Map<string, number>;
}

export interface User {
  id: string;
  username: string;
}

export type Delivery =
  | { to: 'room'; room: string; frame: RoomMessageFrame }
  | { to: 'users'; users: [string, string]; frame: PrivateMessageFrame };

const now = (): string => new Date().toISOString();

export class MemoryChat {
  private readonly rooms = new Map<string, RoomState>();
  private readonly roomsOfUser = new Map<string, Set<string>>();
  private readonly known = new Map<string, string>();
  private readonly privateMessages: PrivateMessageFrame[] = [];

  constructor() {
    this.createRoom(DEFAULT_ROOM_NAME, 'The room everyone can find', DEFAULT_ROOM_ID);
  }

  /** The handshake's user, or why it is refused. */
  static handshake(url: string | undefined, base = 'http://localhost'): User | string {
    const query = new URL(url ?? '/', base).searchParams;
    const id = query.get('user_id');
    const username = query.get('username');
    if (!id || id.length > MAX_NAME_LENGTH) return `user_id must be 1-${MAX_NAME_LENGTH} characters`;
    if (!username || username.length > MAX_NAME_LENGTH) return `username must be 1-${MAX_NAME_LENGTH} characters`;
    return { id, username };
  }

  connected(user: User): SystemFrame {
    this.known.set(user.id, user.username);
    return { id: randomUUID(), type: 'system', content: WELCOME_TEXT, sender: SYSTEM_SENDER, sender_id: '', timestamp: now() };
  }

  roomsOf(userId: string): ReadonlySet<string> {
    return this.roomsOfUser.get(userId) ?? NONE;
  }

  /** Users who share a room with `userId` (not `userId`). */
  roommates(userId: string): Set<string> {
    const mates = new Set<string>();
    for (const room of this.roomsOf(userId)) for (const member of this.rooms.get(room)?.members ?? NONE) mates.add(member);
    mates.delete(userId);
    return mates;
  }

  presence(user: User, content: 'online' | 'offline'): PresenceFrame {
    return { type: 'presence', content, user_id: user.id, username: user.username, timestamp: now() };
  }

  /** Joins; returns the join frame and whether the user is a new member, or an error. */
  join(user: User, roomId: unknown): { frame: MembershipFrame; joined: boolean } | string {
    const room = typeof roomId === 'string' ? this.rooms.get(roomId) : undefined;
    if (!room) return `unknown room: ${String(roomId)}`;
    const joined = !room.members.has(user.id);
    room.members.add(user.id);
    let mine = this.roomsOfUser.get(user.id);
    if (!mine) this.roomsOfUser.set(user.id, (mine = new Set()));
    mine.add(room.id);
    return { frame: membership('join', room.id, user), joined };
  }

  leave(user: User, roomId: unknown): MembershipFrame | string {
    const room = typeof roomId === 'string' ? this.rooms.get(roomId) : undefined;
    if (!room) return `unknown room: ${String(roomId)}`;
    if (!room.members.delete(user.id)) return `not a member of room: ${room.id}`;
    this.roomsOfUser.get(user.id)?.delete(room.id);
    return membership('leave', room.id, user);
  }

  /** Checks and stores a text frame; returns where it goes, or an error. */
  post(user: User, frame: { content?: unknown; room?: unknown; recipient?: unknown }): Delivery | string {
    const { content, room, recipient } = frame;
    if (typeof content !== 'string' || content.trim().length === 0) return 'content must not be empty';
    if (content.length > MAX_CONTENT_LENGTH) return `content must be at most ${MAX_CONTENT_LENGTH} characters`;
    if ((room === undefined) === (recipient === undefined)) return 'a message needs exactly one of room and recipient';
    const base = { id: randomUUID(), content, sender: user.username, sender_id: user.id, timestamp: now() };
    if (room !== undefined) {
      const state = typeof room === 'string' ? this.rooms.get(room) : undefined;
      if (!state) return `unknown room: ${String(room)}`;
      if (!state.members.has(user.id)) return `not a member of room: ${state.id}`;
      const message: RoomMessageFrame = { ...base, type: 'text', room: state.id, seq: state.messages.length + 1 };
      state.positions.set(message.id, state.messages.length);
      state.messages.push(message);
      return { to: 'room', room: state.id, frame: message };
    }
    if (typeof recipient !== 'string' || !this.known.has(recipient)) return `unknown recipient: ${String(recipient)}`;
    const message: PrivateMessageFrame = { ...base, type: 'private', recipient };
    this.privateMessages.push(message);
    return { to: 'users', users: [recipient, user.id], frame: message };
  }

  createRoom(name: string, description = '', id = slug(name)): Room | string {
    if ([...this.rooms.values()].some((room) => room.name.toLowerCase() === name.trim().toLowerCase())) return 'taken';
    const room: RoomState = {
      id: id && !this.rooms.has(id) ? id : randomUUID(),
      name: name.trim(),
      description,
      createdAt: now(),
      members: new Set(),
      messages: [],
      positions: new Map(),
    };
    this.rooms.set(room.id, room);
    return this.toRoom(room);
  }

  /**
   * The REST calls the benchmark makes: health, rooms, history. Returns false
   * for anything else (the caller answers 404 or lets its framework handle it).
   */
  handleRest(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (status: number, body: unknown): void => {
      const data = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
      res.end(data);
    };
    if (url.pathname === '/api/health') {
      reply(200, { status: 'ok' });
      return true;
    }
    if (url.pathname === '/api/rooms' && req.method === 'GET') {
      reply(200, { rooms: [...this.rooms.values()].map((room) => this.toRoom(room)) });
      return true;
    }
    if (url.pathname === '/api/rooms' && req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        let input: { name?: unknown; description?: unknown };
        try {
          input = JSON.parse(body) as typeof input;
        } catch {
          return reply(400, { statusCode: 400, message: 'body must be JSON', error: 'Bad Request' });
        }
        if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > MAX_NAME_LENGTH) {
          return reply(400, { statusCode: 400, message: 'name must be 1-64 characters', error: 'Bad Request' });
        }
        const room = this.createRoom(input.name, typeof input.description === 'string' ? input.description : '');
        if (typeof room === 'string') return reply(409, { statusCode: 409, message: 'name taken', error: 'Conflict' });
        reply(201, { room });
      });
      return true;
    }
    const history = /^\/api\/rooms\/([^/]+)\/messages$/.exec(url.pathname);
    if (history && req.method === 'GET') {
      const room = this.rooms.get(decodeURIComponent(history[1]));
      if (!room) {
        reply(404, { statusCode: 404, message: 'unknown room', error: 'Not Found' });
        return true;
      }
      const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : HISTORY_DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_MAX_LIMIT) {
        reply(400, { statusCode: 400, message: 'limit must be 1-200', error: 'Bad Request' });
        return true;
      }
      let end = room.messages.length;
      const before = url.searchParams.get('before');
      if (before !== null) {
        const position = room.positions.get(before);
        if (position === undefined) {
          reply(400, { statusCode: 400, message: `before: no message ${before} in room ${room.id}`, error: 'Bad Request' });
          return true;
        }
        end = position;
      }
      reply(200, { messages: room.messages.slice(Math.max(0, end - limit), end) });
      return true;
    }
    return false;
  }

  private toRoom(room: RoomState): Room {
    return { id: room.id, name: room.name, description: room.description, user_count: room.members.size, created_at: room.createdAt };
  }
}

const NONE: ReadonlySet<string> = new Set<string>();

function membership(type: 'join' | 'leave', room: string, user: User): MembershipFrame {
  return {
    id: randomUUID(),
    type,
    content: `${user.username} ${type === 'join' ? 'joined' : 'left'} the room`,
    sender: SYSTEM_SENDER,
    sender_id: '',
    room,
    user_id: user.id,
    username: user.username,
    timestamp: now(),
  };
}

function slug(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
}

/** PORT and HOST, as the ChatStream server reads them. */
export function listenAddress(): { port: number; host: string } {
  return { port: Number(process.env.PORT ?? 8080), host: process.env.HOST || '127.0.0.1' };
}
