import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * A message over the sender's rate limit: 429 with `Retry-After` over REST,
 * an error frame with `retry_after_ms` on a socket.
 */
export class RateLimitedException extends HttpException {
  constructor(readonly retryAfterMs: number) {
    super(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, message: `rate limited: retry in ${retryAfterMs} ms`, error: 'Too Many Requests' },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
