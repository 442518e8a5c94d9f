import { ForbiddenException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { AuthConfigResponse, AuthSessionInfo, AuthUserInfo } from '@chatstream/protocol';
import { Clock } from '../common/clock';
import { RateLimitedException } from '../common/rate-limited.exception';
import { AppConfig } from '../config/app-config';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { Accounts } from './accounts';
import type { AuthUser } from './auth-user';
import { SlidingWindowLimiter } from './limiter';
import { PasswordHasher } from './passwords';
import { SessionsService } from './sessions.service';

/** Failed sign-ins allowed per username and address within LOGIN_WINDOW_MS. */
export const LOGIN_FAILURES = 5;
export const LOGIN_WINDOW_MS = 15 * 60_000;
const HOUR_MS = 60 * 60_000;

export const INVALID_LOGIN = 'invalid username or password';

/** Where a sign-in comes from: the throttles key on the address. */
export interface ClientInfo {
  address: string;
  userAgent: string | null;
}

export interface SignedIn {
  user: AuthUserInfo;
  token: string;
}

/** Registration, sign-in and sign-out, with their throttles. */
@Injectable()
export class AuthService {
  private readonly failedLogins: SlidingWindowLimiter;
  private readonly registrations: SlidingWindowLimiter;

  constructor(
    private readonly config: AppConfig,
    private readonly accounts: Accounts,
    private readonly users: UsersRepository,
    private readonly known: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly clock: Clock,
  ) {
    this.failedLogins = new SlidingWindowLimiter(LOGIN_FAILURES, LOGIN_WINDOW_MS, clock);
    this.registrations = new SlidingWindowLimiter(config.rateRegistrationsPerHour, HOUR_MS, clock);
  }

  settings(): AuthConfigResponse {
    return { auth: this.config.auth, registration: this.config.registration };
  }

  /**
   * A new account and its first session. Closed registration is 403; bad
   * names and passwords 400; a taken name 409 (before any hashing); past
   * RATE_REGISTRATIONS_PER_HOUR from one address 429.
   */
  async register(username: string, password: string, client: ClientInfo): Promise<SignedIn> {
    if (this.config.registration === 'closed') throw new ForbiddenException('registration is closed: ask the operator for an account');
    const wait = this.registrations.waitMs(client.address);
    if (wait > 0) throw new RateLimitedException(wait, `too many new accounts from this address: retry in ${Math.ceil(wait / 1000)} s`);
    await this.accounts.checkNew(username, password);
    this.registrations.hit(client.address);
    const account = await this.accounts.create(username, password, new Date(this.clock.now()));
    const user = { id: account.id, username: account.username };
    this.known.addKnown(user);
    return this.startSession(user, client);
  }

  /**
   * Signs in. A wrong password, an unknown name and a user without a
   * password all answer the same 401 after the same Argon2 work. After
   * LOGIN_FAILURES failures for one name from one address within
   * LOGIN_WINDOW_MS, every attempt (the right password too) is 429 until the
   * window has passed.
   */
  async login(username: string, password: string, client: ClientInfo): Promise<SignedIn> {
    const key = `${username.toLowerCase()}\n${client.address}`;
    const wait = this.failedLogins.waitMs(key);
    if (wait > 0) throw new RateLimitedException(wait, `too many failed sign-ins: retry in ${Math.ceil(wait / 1000)} s`);
    // Counted before the hash, so parallel guesses cannot all slip in; a success forgets it.
    this.failedLogins.hit(key);
    const account = await this.users.findByUsername(username);
    const ok = await this.hasher.verify(account?.passwordHash ?? null, password);
    if (!account || !ok) throw new UnauthorizedException(INVALID_LOGIN);
    this.failedLogins.reset(key);
    return this.startSession({ id: account.id, username: account.username }, client);
  }

  private async startSession(user: AuthUserInfo, client: ClientInfo): Promise<SignedIn> {
    const { token } = await this.sessions.create(user, client.userAgent);
    return { user, token };
  }

  async logout(auth: AuthUser): Promise<void> {
    await this.sessions.end(auth.sessionId);
  }

  async listSessions(auth: AuthUser): Promise<AuthSessionInfo[]> {
    const sessions = await this.sessions.list(auth.id);
    return sessions.map((session) => ({
      id: session.id,
      created_at: session.createdAt,
      last_used_at: session.lastUsedAt,
      user_agent: session.userAgent,
      current: session.id === auth.sessionId,
    }));
  }

  async endSession(auth: AuthUser, sessionId: string): Promise<void> {
    if (!(await this.sessions.end(sessionId, auth.id))) throw new NotFoundException(`no session ${sessionId}`);
  }
}
