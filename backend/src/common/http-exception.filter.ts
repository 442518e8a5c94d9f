import { ArgumentsHost, Catch, HttpException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { RateLimitedException } from './rate-limited.exception';
import { boundedErrorBody } from './validation/error-body';

/**
 * Every 4xx leaves as `{statusCode, message, error}`, bounded in size (see
 * `boundedErrorBody`): 10,000 unknown fields are not answered with 10,000
 * messages. That includes the body parser's own refusals (413, 415, 400),
 * which are `http-errors` rather than Nest exceptions. 5xx and non-HTTP
 * contexts are Nest's (logged, generic body).
 */
@Catch()
export class HttpErrorFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const client = clientError(exception);
    const response = host.switchToHttp().getResponse<Response>();
    if (host.getType() !== 'http' || !client || response.headersSent) return super.catch(exception, host);
    // Retry-After is in whole seconds: round up, or the client comes back too early.
    if (exception instanceof RateLimitedException) response.setHeader('Retry-After', String(Math.ceil(exception.retryAfterMs / 1000)));
    response.status(client.status).json(boundedErrorBody(client.status, client.body));
  }
}

/** The status and body of a client error (4xx), or undefined for anything else. */
function clientError(exception: unknown): { status: number; body: unknown } | undefined {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return status >= 400 && status < 500 ? { status, body: exception.getResponse() } : undefined;
  }
  // `http-errors` (body-parser): `status` and an `expose`d message meant for the client.
  if (exception instanceof Error && 'status' in exception && 'expose' in exception && exception.expose === true) {
    const status = Number(exception.status);
    return status >= 400 && status < 500 ? { status, body: { message: exception.message } } : undefined;
  }
  return undefined;
}
