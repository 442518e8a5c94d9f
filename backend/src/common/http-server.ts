import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { boundedErrorBody } from './validation/error-body';

/**
 * A request whose headers or body have not fully arrived within `ms` is
 * answered 408 and closed (slow headers, a Content-Length never sent, a
 * chunked body that stalls), instead of holding a socket and a parser for
 * minutes. Node looks for such requests periodically: every second here
 * (every 30 s by default), so the 408 comes at most a second late. Open
 * WebSockets are no longer requests and are not affected.
 */
export function limitRequestTime(server: Server, ms: number): void {
  server.headersTimeout = ms;
  server.requestTimeout = ms;
  // A constructor option in the typings, but read when the server starts listening (Nest creates the server for us).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1000, ms);
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => answerClientError(error, socket, ms));
}

/**
 * What Node answers to a request it could not parse or that timed out, but
 * with the JSON body every other 4xx has. Like Node, it answers only when
 * nothing of a response has been written yet, then closes the connection.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket, timeoutMs: number): void {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const [status, message] = clientErrorStatus(error.code, timeoutMs);
    const body = JSON.stringify(boundedErrorBody(status, message));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function clientErrorStatus(code: string | undefined, timeoutMs: number): [number, string] {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, `the request's headers and body did not arrive within ${timeoutMs} ms`];
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'request headers too large'];
    default:
      return [400, 'malformed HTTP request'];
  }
}
