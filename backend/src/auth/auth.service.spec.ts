import { HttpException } from '@nestjs/common';
import { LocalCluster } from '../cluster/cluster';
import { AppConfig } from '../config/app-config';
import { Connection } from '../fanout/connection';
import { FanoutService } from '../fanout/fanout.service';
import { MemorySessionsRepository, MemoryUsersRepository } from '../storage/memory/memory.repositories';
import { chatServices, FakeClock, FakeSocket } from '../testing/fakes';
import type { WebSocket } from 'ws';
import { Accounts } from './accounts';
import { AuthService, LOGIN_WINDOW_MS } from './auth.service';
import { PasswordHasher } from './passwords';
import { SessionsService, TOUCH_EVERY_MS } from './sessions.service';

/** Hashing stands in for Argon2 (which costs ~50 ms); it counts the verifications done without a stored hash. */
class FakeHasher extends PasswordHasher {
  dummyChecks = 0;
  override async hash(password: string): Promise<string> {
    return `hashed:${password}`;
  }
  override async verify(passwordHash: string | null, password: string): Promise<boolean> {
    if (passwordHash === null) this.dummyChecks++;
    return passwordHash === `hashed:${password}`;
  }
}

class CountingSessions extends MemorySessionsRepository {
  touches = 0;
  override async touch(ids: string[], lastUsedAt: string): Promise<void> {
    this.touches++;
    return super.touch(ids, lastUsedAt);
  }
}

async function system(settings: Partial<AppConfig> = {}) {
  const config = Object.assign(new AppConfig(), settings);
  const clock = new FakeClock();
  const usersRepository = new MemoryUsersRepository();
  const sessionsRepository = new CountingSessions(usersRepository);
  const hasher = new FakeHasher();
  const chat = await chatServices();
  const fanout: FanoutService = chat.fanout;
  const sessions = new SessionsService(sessionsRepository, config, fanout, new LocalCluster(), clock);
  const sut = new AuthService(config, new Accounts(usersRepository, hasher), usersRepository, chat.users, hasher, sessions, clock);
  const client = { address: '192.0.2.1', userAgent: 'spec' };
  return { sut, sessions, sessionsRepository, usersRepository, hasher, clock, client, fanout, chat };
}

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof HttpException) return error.getStatus();
    throw error;
  }
}

describe('AuthService', () => {
  it('registers an account that can sign in, and whose token authenticates it', async () => {
    const { sut, sessions, client } = await system();
    const made = await sut.register('ann', 'password-1', client);
    const signedIn = await sut.login('ANN', 'password-1', client);
    expect(signedIn.user).toEqual(made.user);
    expect((await sessions.authenticate(signedIn.token))?.user).toMatchObject({ id: made.user.id, username: 'ann' });
  });

  it('makes a new account known at once, so private messages may go to it before it ever connects', async () => {
    const { sut, client, chat } = await system();
    const { user } = await sut.register('bob', 'password-1', client);
    expect(chat.users.isKnown(user.id)).toBe(true);
  });

  it('stores no password: only its hash', async () => {
    const { sut, usersRepository, client } = await system();
    await sut.register('ann', 'password-1', client);
    const [account] = await usersRepository.listAccounts();
    expect(account.passwordHash).toBe('hashed:password-1');
  });

  it('answers an unknown user like a wrong password, after verifying against a dummy hash', async () => {
    const { sut, hasher, client } = await system();
    await sut.register('ann', 'password-1', client);
    expect(await statusOf(sut.login('ann', 'wrong-password', client))).toBe(401);
    expect(await statusOf(sut.login('nobody', 'wrong-password', client))).toBe(401);
    expect(hasher.dummyChecks).toBe(1);
  });

  it('refuses a user without a password (made in AUTH=open) with the same 401', async () => {
    const { sut, usersRepository, hasher, client } = await system();
    await usersRepository.saveUser({ id: 'legacy', username: 'oldtimer' });
    expect(await statusOf(sut.login('oldtimer', 'anything-at-all', client))).toBe(401);
    expect(hasher.dummyChecks).toBe(1);
  });

  it('after 5 failures for one name and address refuses even the right password until 15 minutes passed', async () => {
    const { sut, clock, client } = await system();
    await sut.register('ann', 'password-1', client);
    for (let i = 0; i < 5; i++) expect(await statusOf(sut.login('ann', `guess-${i}`, client))).toBe(401);
    const refused = await sut.login('ann', 'password-1', client).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, retryAfterMs: LOGIN_WINDOW_MS });
    expect(await statusOf(sut.login('ann', 'password-1', { ...client, address: '192.0.2.2' }))).toBe(200);
    clock.advance(LOGIN_WINDOW_MS);
    expect(await statusOf(sut.login('ann', 'password-1', client))).toBe(200);
  });

  it('forgets earlier failures after a successful sign-in', async () => {
    const { sut, client } = await system();
    await sut.register('ann', 'password-1', client);
    for (let i = 0; i < 4; i++) await statusOf(sut.login('ann', 'wrong-one', client));
    await sut.login('ann', 'password-1', client);
    for (let i = 0; i < 4; i++) expect(await statusOf(sut.login('ann', 'wrong-one', client))).toBe(401);
  });

  it('limits registrations per address per hour (0: no limit), and refuses all when registration is closed', async () => {
    const limited = await system({ rateRegistrationsPerHour: 2 });
    expect(await statusOf(limited.sut.register('one', 'password-1', limited.client))).toBe(200);
    expect(await statusOf(limited.sut.register('two', 'password-1', limited.client))).toBe(200);
    expect(await statusOf(limited.sut.register('three', 'password-1', limited.client))).toBe(429);
    limited.clock.advance(60 * 60_000);
    expect(await statusOf(limited.sut.register('three', 'password-1', limited.client))).toBe(200);
    const unlimited = await system({ rateRegistrationsPerHour: 0 });
    for (let i = 0; i < 30; i++) expect(await statusOf(unlimited.sut.register(`user-${i}`, 'password-1', unlimited.client))).toBe(200);
    const closed = await system({ registration: 'closed' });
    expect(await statusOf(closed.sut.register('ann', 'password-1', closed.client))).toBe(403);
  });

  it('refuses taken names in any case (409) and bad names or passwords (400), hashing nothing', async () => {
    const { sut, client, usersRepository } = await system();
    await sut.register('Ann', 'password-1', client);
    expect(await statusOf(sut.register('aNN', 'password-2', client))).toBe(409);
    expect(await statusOf(sut.register('a', 'password-2', client))).toBe(400);
    expect(await statusOf(sut.register('zed', 'short', client))).toBe(400);
    expect(await statusOf(sut.register('zedzed', 'ZEDZED', client))).toBe(400);
    expect(await usersRepository.listAccounts()).toHaveLength(1);
  });
});

describe('SessionsService', () => {
  it('slides the expiry: a session used within SESSION_TTL_DAYS lives on, an unused one ends', async () => {
    const { sut, sessions, clock, client } = await system({ sessionTtlDays: 2 });
    const { token } = await sut.register('ann', 'password-1', client);
    clock.advance(36 * 3600_000);
    expect(await sessions.authenticate(token)).toBeDefined();
    clock.advance(36 * 3600_000);
    expect(await sessions.authenticate(token)).toBeDefined();
    clock.advance(49 * 3600_000);
    expect(await sessions.authenticate(token)).toBeUndefined();
  });

  it('writes last use at most once per TOUCH_EVERY_MS, however often the token is used', async () => {
    const { sut, sessions, sessionsRepository, clock, client } = await system();
    const { token } = await sut.register('ann', 'password-1', client);
    for (let i = 0; i < 100; i++) {
      await sessions.authenticate(token);
      clock.advance(1000);
    }
    expect(sessionsRepository.touches).toBe(0);
    clock.advance(TOUCH_EVERY_MS);
    expect((await sessions.authenticate(token))?.touched).toBe(true);
    expect((await sessions.authenticate(token))?.touched).toBe(false);
    expect(sessionsRepository.touches).toBe(1);
  });

  it('ends a session at once, although validations are cached, and closes its sockets with 4001', async () => {
    const { sut, sessions, client, chat } = await system();
    const signedIn = await sut.register('ann', 'password-1', client);
    const user = (await sessions.authenticate(signedIn.token))!.user;
    const socket = new FakeSocket();
    const closed: number[] = [];
    socket.close = (code?: number) => void closed.push(code ?? 0);
    chat.users.connect(new Connection(socket as unknown as WebSocket, user.id, user.username, 2, user.sessionId));
    await sut.logout(user);
    expect(await sessions.authenticate(signedIn.token)).toBeUndefined();
    expect(closed).toEqual([4001]);
  });

  it('lists a user\'s sessions with the current one marked, and ends only the user\'s own', async () => {
    const { sut, sessions, client } = await system();
    const first = await sut.register('ann', 'password-1', client);
    const second = await sut.login('ann', 'password-1', client);
    const eve = await sut.register('eve', 'password-1', client);
    const me = (await sessions.authenticate(second.token))!.user;
    const listed = await sut.listSessions(me);
    expect(listed.map((s) => s.current).sort()).toEqual([false, true]);
    const firstId = listed.find((s) => !s.current)!.id;
    const eveUser = (await sessions.authenticate(eve.token))!.user;
    expect(await statusOf(sut.endSession(eveUser, firstId))).toBe(404);
    await sut.endSession(me, firstId);
    expect(await sessions.authenticate(first.token)).toBeUndefined();
    expect(await sessions.authenticate(second.token)).toBeDefined();
  });
});
