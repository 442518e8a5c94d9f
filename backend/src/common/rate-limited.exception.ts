import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * 429 with how long to wait. `RetryAfterFilter` turns `retryAfterMs` into
 * the `Retry-After` header (whole seconds, rounded up).
 */
export class RateLimitedException extends HttpException {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super({ statusCode: HttpStatus.TOO_MANY_REQUESTS, message, error: 'Too Many Requests' }, HttpStatus.TOO_MANY_REQUESTS);
  }

  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryAfterMs / 1000));
  }
}
