import { UseFilters, UsePipes, type BeforeApplicationShutdown } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WsException,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { CloseCode, MAX_FRAME_BYTES } from '@chatstream/protocol';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { WsAuthenticator } from '../auth/ws-authenticator';
import { AppConfig } from '../config/app-config';
import { MessagesService } from '../messages/messages.service';
import { RoomsService } from '../rooms/rooms.service';
import { UsersService } from '../users/users.service';
import { Connection } from '../fanout/connection';
import { DeleteFrameDto, EditFrameDto, MembershipFrameDto, ReactionFrameDto, ReadFrameDto, TextFrameDto, TypingFrameDto } from './dto/frames.dto';
import { ReadStateService } from '../reads/read-state.service';
import { TypingService } from '../messages/typing.service';
import { FanoutService } from '../fanout/fanout.service';
import { FrameValidationPipe } from './frame-validation.pipe';
import { INVALID_FRAME } from './frame-parser';
import { parseHandshake, parseLevel, verifyHandshake, WS_PATH, type VerifyClient } from './handshake';
import { WsErrorFrameFilter } from './ws-exception.filter';

/** The socket edge: checks each frame, hands it to one service method. */
@UseFilters(WsErrorFrameFilter)
@UsePipes(new FrameValidationPipe([TextFrameDto, MembershipFrameDto, EditFrameDto, DeleteFrameDto, ReactionFrameDto, TypingFrameDto, ReadFrameDto]))
@WebSocketGateway({ path: WS_PATH, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, verifyClient: verifyHandshake })
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown {
  constructor(
    private readonly fanout: FanoutService,
    private readonly users: UsersService,
    private readonly rooms: RoomsService,
    private readonly messages: MessagesService,
    private readonly config: AppConfig,
    private readonly authenticator: WsAuthenticator,
    private readonly typists: TypingService,
    private readonly reads: ReadStateService,
  ) {}

  /** Accounts mode: the upgrade needs a session (`ws` asks verifyClient on every upgrade). */
  afterInit(server: WebSocketServer): void {
    if (this.config.auth !== 'accounts') return;
    const verify: VerifyClient = (info, done) => {
      const level = parseLevel(info.req.url);
      if (typeof level === 'string') return done(false, 400, level);
      this.authenticator.verify(info.req).then(
        (verdict) => ('user' in verdict ? done(true) : done(false, verdict.status, verdict.reason)),
        () => done(false, 503, 'Service Unavailable'),
      );
    };
    server.options.verifyClient = verify;
  }

  /**
   * Shutdown: refuse new connections, commit what is queued (its senders get
   * their acknowledgements), then close every socket with 1001.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.fanout.closing = true;
    await this.messages.drain();
    await this.fanout.closeAll();
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    if (this.fanout.closing) return socket.close(CloseCode.GoingAway, 'server shutting down');
    if (this.config.auth === 'accounts') return this.connectSignedIn(socket, request);
    const handshake = parseHandshake(request.url);
    if (typeof handshake === 'string') return socket.close(CloseCode.PolicyViolation, handshake);
    this.users.connect(new Connection(socket, handshake.userId, handshake.username, handshake.level));
  }

  /** The connection is the session's user, whatever the query says. */
  private connectSignedIn(socket: WebSocket, request: IncomingMessage): void {
    const user = this.authenticator.take(request);
    const level = parseLevel(request.url);
    if (!user || typeof level === 'string') return socket.close(CloseCode.PolicyViolation, 'no session');
    if (this.authenticator.endedMeanwhile(user)) return socket.close(CloseCode.SessionEnded, 'session ended');
    this.users.connect(new Connection(socket, user.id, user.username, level, user.sessionId));
  }

  handleDisconnect(socket: WebSocket): void {
    const conn = this.fanout.connectionOf(socket);
    if (conn) this.users.disconnect(conn);
  }

  @SubscribeMessage('text')
  async text(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: TextFrameDto): Promise<void> {
    const conn = this.connection(socket);
    const { content, room, recipient, client_id: clientId, reply_to: replyTo } = frame;
    const message = { senderId: conn.userId, senderName: conn.username, content, room, recipient, clientId, replyTo };
    await conn.afterChanges(() => this.messages.send(message, conn));
  }

  // Changes answer the changer through message_updated, which every connection of the room or conversation gets.
  // A connection's changes are applied in the order it sent them, so its last edit is the one that stays.
  @SubscribeMessage('edit')
  async edit(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: EditFrameDto): Promise<void> {
    const conn = this.connection(socket);
    await inOrder(conn, () => this.messages.edit(conn, frame.id, frame.content));
  }

  @SubscribeMessage('delete')
  async delete(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: DeleteFrameDto): Promise<void> {
    const conn = this.connection(socket);
    await inOrder(conn, () => this.messages.remove(conn, frame.id));
  }

  @SubscribeMessage('react')
  async react(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ReactionFrameDto): Promise<void> {
    const conn = this.connection(socket);
    await inOrder(conn, () => this.messages.react(conn, frame.id, frame.emoji));
  }

  @SubscribeMessage('unreact')
  async unreact(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ReactionFrameDto): Promise<void> {
    const conn = this.connection(socket);
    await inOrder(conn, () => this.messages.unreact(conn, frame.id, frame.emoji));
  }

  @SubscribeMessage('typing')
  async typing(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: TypingFrameDto): Promise<void> {
    const conn = this.connection(socket);
    if (conn.level !== 2) throw new WsException('typing needs protocol=2');
    await this.typists.typing(conn, frame);
  }

  @SubscribeMessage('read')
  async read(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ReadFrameDto): Promise<void> {
    const conn = this.connection(socket);
    if (conn.level !== 2) throw new WsException('read needs protocol=2');
    // In the connection's lane, after its joins (a client that joins and then reads finds itself a member).
    await conn.queueChange(() => this.reads.read(conn, frame, frame.seq));
  }

  @SubscribeMessage('join_room')
  async join(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: MembershipFrameDto): Promise<void> {
    const conn = this.connection(socket);
    await conn.queueChange(() => this.rooms.join(conn, frame.content));
  }

  @SubscribeMessage('leave_room')
  async leave(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: MembershipFrameDto): Promise<void> {
    const conn = this.connection(socket);
    await conn.queueChange(() => this.rooms.leave(conn, frame.content));
  }

  @SubscribeMessage(INVALID_FRAME)
  invalid(@MessageBody() reason: string): never {
    throw new WsException(reason);
  }

  private connection(socket: WebSocket): Connection {
    const conn = this.fanout.connectionOf(socket);
    if (!conn) throw new WsException('connection is closing');
    return conn;
  }
}

/** Runs a message change after the connection's earlier changes (and joins/leaves) are done. */
async function inOrder(conn: Connection, change: () => Promise<unknown>): Promise<void> {
  await conn.queueChange(async () => {
    await change();
  });
}
