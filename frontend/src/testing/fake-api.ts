import type { CreateRoomRequest, HistoryMessage, OnlineUser, Room } from '@chatstream/protocol';
import { ApiError } from '../app/core/api-client';

let sequence = 0;

/** A message as the server would store it (`seq`: its place in the room). */
export function message(room: string, content: string, sender = 'carol', senderId = `id-${sender}`, seq = sequence + 1, clientId?: string): HistoryMessage {
  sequence++;
  const stored: HistoryMessage = {
    id: `m-${sequence}`,
    type: 'text',
    content,
    sender,
    sender_id: senderId,
    room,
    seq,
    timestamp: new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + sequence * 1000).toISOString(),
  };
  if (clientId !== undefined) stored.client_id = clientId;
  return stored;
}

/** The REST API over in-memory state, with the server's paging rules. */
export class FakeApi {
  roomList: Room[] = [room('general', 'General Chat')];
  readonly messages = new Map<string, HistoryMessage[]>();
  users: OnlineUser[] = [];
  readonly calls: string[] = [];
  /** Set to make the next calls fail. */
  failing = false;

  /** Stores a message as the server would: the next seq of the room; a client_id already used answers the stored one. */
  post(roomId: string, content: string, sender?: string, senderId?: string, clientId?: string): HistoryMessage {
    const history = this.messages.get(roomId) ?? [];
    const repeat = clientId === undefined ? undefined : history.find((m) => m.client_id === clientId && m.sender_id === senderId);
    if (repeat) return repeat;
    const stored = message(roomId, content, sender, senderId, history.length + 1, clientId);
    this.messages.set(roomId, [...history, stored]);
    return stored;
  }

  async rooms(): Promise<Room[]> {
    this.calls.push('rooms');
    return this.roomList.map((r) => ({ ...r }));
  }

  async createRoom(body: CreateRoomRequest): Promise<Room> {
    this.calls.push(`createRoom ${body.name}`);
    if (this.roomList.some((r) => r.name.toLowerCase() === body.name.toLowerCase())) {
      throw new ApiError(409, `a room named "${body.name}" already exists`);
    }
    const created = room(body.name.toLowerCase().replace(/\W+/g, '-'), body.name, body.description);
    this.roomList.push(created);
    return created;
  }

  async history(roomId: string, options: { limit?: number; before?: string; after?: number } = {}): Promise<HistoryMessage[]> {
    const paging = options.before ? ` before=${options.before}` : options.after !== undefined ? ` after=${options.after}` : '';
    this.calls.push(`history ${roomId} limit=${options.limit ?? 50}${paging}`);
    if (this.failing) throw new ApiError(503, 'unavailable');
    const all = this.messages.get(roomId) ?? [];
    if (options.after !== undefined) return all.slice(options.after, options.after + (options.limit ?? 50));
    const end = options.before === undefined ? all.length : all.findIndex((m) => m.id === options.before);
    if (end < 0) throw new ApiError(400, 'unknown before');
    const limit = options.limit ?? 50;
    return all.slice(Math.max(0, end - limit), end);
  }

  async onlineUsers(): Promise<OnlineUser[]> {
    this.calls.push('users');
    return [...this.users];
  }
}

export function room(id: string, name: string, description = '', members = 0): Room {
  return { id, name, description, user_count: members, created_at: '2026-01-01T00:00:00.000Z' };
}

/** Lets pending promise callbacks (fake REST answers) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
