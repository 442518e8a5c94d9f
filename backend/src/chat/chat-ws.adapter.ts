import { Logger, type INestApplicationContext } from '@nestjs/common';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { WsAdapter } from '@nestjs/platform-ws';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { parseFrame } from './frame-parser';

/**
 * Nest's `ws` adapter, leaner where it counts:
 * - each socket gets one plain `message` listener that parses the frame and
 *   calls the gateway handler of its `type` (Nest's handler, with its pipes
 *   and exception filter), instead of an RxJS pipeline per socket: less
 *   memory per idle connection and less work per frame;
 * - a client's protocol error (an oversized or malformed frame: `ws` closes
 *   that socket with 1009/1002) is one warning line, not an error with a stack.
 */
export class ChatWsAdapter extends WsAdapter {
  private readonly log = new Logger('ChatGateway');

  constructor(app: INestApplicationContext) {
    super(app);
  }

  override bindMessageHandlers(client: WebSocket, handlers: MessageMappingProperties[]): void {
    const byType = new Map(handlers.map((handler) => [handler.message as string, handler.callback]));
    client.on('message', (data: RawData, isBinary: boolean) => {
      const frame = parseFrame(isBinary ? data : data.toString());
      const handler = byType.get(frame.event);
      if (!handler) return;
      // Handlers answer through the fan-out; a value they return is a reply to this socket, as in Nest.
      void Promise.resolve(handler(frame.data, frame.event)).then((reply: unknown) => {
        if (reply !== undefined && reply !== null && client.readyState === 1) client.send(JSON.stringify(reply));
      });
    });
  }

  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('connection', (socket: WebSocket) =>
      socket.on('error', (error: Error) => this.log.warn(`socket closed for a protocol error: ${error.message}`)),
    );
    server.on('error', (error: Error) => this.log.error(error));
    return server;
  }
}
