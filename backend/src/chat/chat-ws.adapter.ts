import { Logger, type INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { parseFrame } from './frame-parser';

/**
 * Nest's `ws` adapter with our frame parser. A client's protocol error (an
 * oversized or malformed frame: `ws` closes that socket with 1009/1002) is
 * the client's problem: one warning line, not an error with a stack.
 */
export class ChatWsAdapter extends WsAdapter {
  private readonly log = new Logger('ChatGateway');

  constructor(app: INestApplicationContext) {
    super(app, { messageParser: parseFrame });
  }

  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('connection', (socket: WebSocket) =>
      socket.on('error', (error: Error) => this.log.warn(`socket closed for a protocol error: ${error.message}`)),
    );
    server.on('error', (error: Error) => this.log.error(error));
    return server;
  }
}
