import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Over a rate limit (messages, sign-ins, registrations): 429 with
 * `Retry-After` over REST, an error frame with `retry_after_ms` on a socket.
 */
export class RateLimitedException extends HttpException {
  constructor(
    readonly retryAfterMs: number,
    message = `rate limited: retry in ${retryAfterMs} ms`,
  ) {
    super({ statusCode: HttpStatus.TOO_MANY_REQUESTS, message, error: 'Too Many Requests' }, HttpStatus.TOO_MANY_REQUESTS);
  }
}
