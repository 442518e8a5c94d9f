import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { ErrorFrame } from '@chatstream/protocol';
import type { WebSocket } from 'ws';
import { RateLimitedException } from '../common/rate-limited.exception';

/** Turns every failure of a frame handler into an `error` frame on that socket; the socket stays open. */
@Catch()
export class WsErrorFrameFilter implements ExceptionFilter {
  private readonly logger = new Logger('ChatGateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    const socket = host.switchToWs().getClient<WebSocket>();
    const frame: ErrorFrame = { type: 'error', content: this.reason(exception) };
    if (exception instanceof RateLimitedException) frame.retry_after_ms = exception.retryAfterMs;
    if (socket.readyState === 1 /* OPEN */) socket.send(JSON.stringify(frame));
  }

  private reason(exception: unknown): string {
    if (exception instanceof WsException) return text(exception.getError());
    if (exception instanceof HttpException) return text(exception.getResponse());
    if (exception instanceof Error) this.logger.error(`frame handler failed: ${exception.message}`, exception.stack);
    else this.logger.error(`frame handler failed: ${String(exception)}`);
    return 'internal error: the frame was not processed';
  }
}

function text(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { message } = error as { message: unknown };
    return Array.isArray(message) ? message.join('; ') : String(message);
  }
  return 'bad frame';
}
