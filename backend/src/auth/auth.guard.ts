import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config';
import { IS_PUBLIC, type AuthenticatedRequest } from './decorators';
import { isAllowedOrigin, presentedCredentials, secureCookie, sessionCookieHeader } from './request-credentials';
import { SessionsService } from './sessions.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const NO_CREDENTIALS = 'sign in first: send the session cookie or an Authorization: Bearer token';
export const BAD_CREDENTIALS = 'session unknown, ended or expired: sign in again';
export const FOREIGN_ORIGIN = 'cross-origin request refused: Origin is not this server nor in ALLOWED_ORIGINS';

/**
 * The one REST guard (APP_GUARD). Accounts mode: every route not marked
 * `@Public()` needs a valid session (401 otherwise), and a cookie-authenticated
 * write must come from this server's origin or ALLOWED_ORIGINS (403). The
 * user is left on the request for `@CurrentUser()`. AUTH=open: everyone
 * passes, as in the original server.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.config.auth === 'open' || context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = presentedCredentials(request.headers);
    if (!presented) throw new UnauthorizedException(NO_CREDENTIALS);
    const session = await this.sessions.authenticate(presented.token);
    if (!session) throw new UnauthorizedException(BAD_CREDENTIALS);
    if (presented.via === 'cookie' && !SAFE_METHODS.has(request.method) && !isAllowedOrigin(request, this.config)) {
      throw new ForbiddenException(FOREIGN_ORIGIN);
    }
    request.auth = session.user;
    if (session.touched && presented.via === 'cookie') {
      // Sliding expiry: the browser's copy lives as long as the session now does.
      const maxAge = Math.floor(this.sessions.ttlMs / 1000);
      context.switchToHttp().getResponse<Response>().setHeader('Set-Cookie', sessionCookieHeader(presented.token, maxAge, secureCookie(request, this.config)));
    }
    return true;
  }
}
