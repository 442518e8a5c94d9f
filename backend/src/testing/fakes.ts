import { EventEmitter } from 'node:events';
import type { ServerFrame } from '@chatstream/protocol';
import type { WebSocket } from 'ws';
import { Connection } from '../fanout/connection';
import { FanoutService } from '../fanout/fanout.service';
import { RoomSequencer } from '../fanout/room-sequencer';
import { LocalCluster } from '../cluster/cluster';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { MessageRateLimiter } from '../messages/message-rate-limiter';
import { MessagesService } from '../messages/messages.service';
import { MembershipService } from '../rooms/membership.service';
import { RoomsService } from '../rooms/rooms.service';
import { ReadStateService } from '../reads/read-state.service';
import { MemoryMessagesRepository, MemoryReadStateRepository, MemoryRoomsRepository, MemoryUsersRepository } from '../storage/memory/memory.repositories';
import { UsersService } from '../users/users.service';

/** Stands in for a `ws` socket: records what the server sent it. */
export class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: ServerFrame[] = [];

  send(data: Buffer | string): void {
    this.sent.push(JSON.parse(data.toString()) as ServerFrame);
  }
  ping(): void {}
  close(): void {
    this.readyState = 3;
    this.emit('close');
  }
  terminate(): void {
    this.close();
  }
}

/** The chat services wired together over in-memory repositories, as the app wires them. */
export async function chatServices(options: { limiter?: MessageRateLimiter; config?: AppConfig } = {}) {
  const config = options.config ?? new AppConfig();
  const fanout = new FanoutService(config);
  const messagesRepository = new MemoryMessagesRepository();
  const sequencer = new RoomSequencer(fanout, messagesRepository);
  const cluster = new LocalCluster();
  const roomsRepository = new MemoryRoomsRepository();
  const membership = new MembershipService(roomsRepository, fanout, cluster);
  await membership.onModuleInit();
  const readState = new MemoryReadStateRepository(messagesRepository, roomsRepository);
  const rooms = new RoomsService(roomsRepository, messagesRepository, membership, fanout, sequencer, cluster, readState, config);
  await rooms.onModuleInit();
  const users = new UsersService(new MemoryUsersRepository(), membership, fanout, cluster);
  await users.onModuleInit();
  // No message limit unless a spec brings one: specs send bursts.
  const limiter = options.limiter ?? new MessageRateLimiter(1, 0);
  const messages = new MessagesService(messagesRepository, rooms, membership, users, fanout, sequencer, cluster, limiter);
  const reads = new ReadStateService(readState, rooms, membership, users, fanout, cluster, config);

  /** Connects a fake socket as a user; returns the connection and what it received. */
  function connect(userId: string, level: 1 | 2 = 2, username = userId) {
    const socket = new FakeSocket();
    const conn = new Connection(socket as unknown as WebSocket, userId, username, level);
    users.connect(conn);
    return { conn, socket, received: socket.sent };
  }

  return { fanout, membership, rooms, users, messages, reads, connect };
}

/** A clock a spec moves by hand. */
export class FakeClock extends Clock {
  constructor(private time = Date.parse('2026-01-01T00:00:00.000Z')) {
    super();
  }
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}
