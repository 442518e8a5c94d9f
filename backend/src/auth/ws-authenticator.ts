import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../config/app-config';
import type { AuthUser } from './auth-user';
import { isAllowedOrigin, presentedCredentials } from './request-credentials';
import { SessionsService } from './sessions.service';

export type HandshakeVerdict = { user: AuthUser } | { status: 401 | 403; reason: string };

/**
 * The REST guard's credential check for the WebSocket upgrade (Nest guards
 * do not run there): no valid session is HTTP 401; a cookie-authenticated
 * upgrade from a foreign Origin is 403 (cross-site WebSocket hijacking).
 */
@Injectable()
export class WsAuthenticator {
  /** Upgrades that passed, until the gateway takes their user. */
  private readonly verified = new WeakMap<IncomingMessage, AuthUser>();

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
  ) {}

  async verify(request: IncomingMessage): Promise<HandshakeVerdict> {
    const presented = presentedCredentials(request.headers);
    if (!presented) return { status: 401, reason: 'Unauthorized' };
    const session = await this.sessions.authenticate(presented.token);
    if (!session) return { status: 401, reason: 'Unauthorized' };
    if (presented.via === 'cookie' && !isAllowedOrigin(request, this.config)) return { status: 403, reason: 'Forbidden' };
    this.verified.set(request, session.user);
    return { user: session.user };
  }

  /** The user of an upgrade `verify` let through (once). */
  take(request: IncomingMessage): AuthUser | undefined {
    const user = this.verified.get(request);
    this.verified.delete(request);
    return user;
  }

  /** The session ended between the upgrade's check and now. */
  endedMeanwhile(user: AuthUser): boolean {
    return this.sessions.wasEnded(user.sessionId);
  }
}
