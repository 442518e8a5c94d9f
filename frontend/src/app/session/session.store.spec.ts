import { TestBed } from '@angular/core/testing';
import { ApiClient, ApiError } from '../core/api-client';
import { FakeApi } from '../../testing/fake-api';
import { SessionStore, newUserId, waitText } from './session.store';

describe('SessionStore in open mode', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => TestBed.resetTestingModule());

  test('signing in makes a user id and keeps id and name in localStorage', () => {
    const sut = TestBed.inject(SessionStore);
    expect(sut.signIn('  alice  ')).toBeNull();
    const user = sut.user();
    expect(user?.name).toBe('alice');
    expect(user?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(localStorage.getItem('chatstream.user') ?? '')).toEqual(user);
  });

  test('a reload finds the same user', () => {
    TestBed.inject(SessionStore).signIn('alice');
    const first = TestBed.inject(SessionStore).user();
    TestBed.resetTestingModule();
    expect(TestBed.inject(SessionStore).user()).toEqual(first);
  });

  test('signing out forgets the user and what was remembered for them', () => {
    const sut = TestBed.inject(SessionStore);
    sut.signIn('alice');
    sut.remember('joined', ['general']);
    localStorage.setItem('unrelated', 'kept');
    void sut.signOut();
    expect(sut.user()).toBeNull();
    expect(Object.keys(localStorage)).toEqual(['unrelated']);
  });

  test('blank and over-long names are refused with a reason', () => {
    const sut = TestBed.inject(SessionStore);
    expect(sut.signIn('   ')).toMatch(/Enter a username/);
    expect(sut.signIn('x'.repeat(65))).toMatch(/at most 64/);
    expect(sut.user()).toBeNull();
  });

  test('user ids are v4 UUIDs, also where crypto.randomUUID is unavailable (plain http)', () => {
    const original = crypto.randomUUID;
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
    try {
      const ids = new Set(Array.from({ length: 50 }, () => newUserId()));
      expect(ids.size).toBe(50);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      Object.defineProperty(crypto, 'randomUUID', { value: original, configurable: true });
    }
  });
});

describe('SessionStore in accounts mode', () => {
  let api: FakeApi;

  function setUp(config: Partial<FakeApi['config']> = {}): SessionStore {
    api = new FakeApi();
    api.config = { auth: 'accounts', registration: 'open', ...config };
    TestBed.configureTestingModule({ providers: [{ provide: ApiClient, useValue: api }] });
    return TestBed.inject(SessionStore);
  }

  beforeEach(() => localStorage.clear());
  afterEach(() => TestBed.resetTestingModule());

  test('on start the server says who the session cookie belongs to; localStorage holds no identity', async () => {
    const sut = setUp();
    api.signedIn = api.addAccount('alice', 'correct horse');
    await sut.start();
    expect(sut.mode()).toBe('accounts');
    expect(sut.user()).toEqual({ id: 'id-alice', name: 'alice' });
    expect(Object.keys(localStorage)).toEqual([]);
  });

  test('without a session nobody is signed in, whatever open mode left in localStorage', async () => {
    localStorage.setItem('chatstream.user', JSON.stringify({ id: 'id-bob', name: 'bob' }));
    const sut = setUp();
    await sut.start();
    expect(sut.user()).toBeNull();
    expect(localStorage.getItem('chatstream.user')).toBeNull();
    // Another tab writing an identity changes nothing either.
    localStorage.setItem('chatstream.user', JSON.stringify({ id: 'id-bob', name: 'bob' }));
    sut.syncFromStorage();
    expect(sut.user()).toBeNull();
  });

  test('signing in with the right password signs in; a wrong one is refused with a reason', async () => {
    const sut = setUp();
    api.addAccount('alice', 'correct horse');
    await sut.start();
    expect(await sut.signInWithPassword('alice', 'wrong horse')).toBe('Wrong username or password.');
    expect(sut.user()).toBeNull();
    expect(await sut.signInWithPassword('  alice ', 'correct horse')).toBeNull();
    expect(sut.user()?.name).toBe('alice');
    expect(api.calls).toContain('login alice');
  });

  test('too many attempts says how long to wait, from Retry-After', async () => {
    const sut = setUp();
    await sut.start();
    api.refuse = new ApiError(429, 'too many failed logins', 840);
    expect(await sut.signInWithPassword('alice', 'whatever1')).toBe('Too many attempts. Try again in 14 minutes.');
    api.refuse = new ApiError(429, 'too many registrations', 1800);
    expect(await sut.createAccount('newbie', 'long enough')).toBe('Too many new accounts from this address. Try again in 30 minutes.');
    expect(waitText(1)).toBe('1 second');
    expect(waitText(45)).toBe('45 seconds');
    expect(waitText(61)).toBe('2 minutes');
  });

  test('creating an account signs in with it; a taken name and the server rules are explained', async () => {
    const sut = setUp();
    api.addAccount('alice', 'correct horse');
    await sut.start();
    expect(await sut.createAccount('Alice', 'another horse')).toMatch(/taken/);
    expect(await sut.createAccount('al', 'long enough')).toMatch(/3 to 32 letters/);
    expect(await sut.createAccount('bob smith', 'long enough')).toMatch(/3 to 32 letters/);
    expect(await sut.createAccount('bob', 'short')).toMatch(/at least 8/);
    expect(await sut.createAccount('bob12345', 'bob12345')).toMatch(/cannot be the username/);
    expect(api.calls.filter((call) => call.startsWith('register'))).toEqual(['register Alice']);
    expect(await sut.createAccount('bob', 'long enough')).toBeNull();
    expect(sut.user()).toEqual({ id: 'id-bob', name: 'bob' });
  });

  test('with registration closed the server refuses new accounts, and the reason says whom to ask', async () => {
    const sut = setUp({ registration: 'closed' });
    await sut.start();
    expect(sut.registration()).toBe('closed');
    api.refuse = new ApiError(403, 'registration is closed');
    expect(await sut.createAccount('bob', 'long enough')).toMatch(/Registration is closed/);
  });

  test('signing out ends the session on the server and forgets what was remembered here', async () => {
    const sut = setUp();
    api.signedIn = api.addAccount('alice', 'correct horse');
    await sut.start();
    sut.remember('joined', ['general']);
    expect(await sut.signOut()).toBeNull();
    expect(api.calls).toContain('logout');
    expect(api.signedIn).toBeNull();
    expect(sut.user()).toBeNull();
    expect(sut.ended()).toBe(false);
    expect(Object.keys(localStorage)).toEqual([]);
  });

  test('a sign-out the server could not take keeps one signed in and says why', async () => {
    const sut = setUp();
    api.signedIn = api.addAccount('alice', 'correct horse');
    await sut.start();
    api.refuse = new ApiError(503, 'unavailable');
    expect(await sut.signOut()).toBe('Could not sign out: unavailable');
    expect(sut.user()?.name).toBe('alice');
  });

  test('a session ended elsewhere signs this device out and the sign-in view is told', async () => {
    const sut = setUp();
    api.signedIn = api.addAccount('alice', 'correct horse');
    await sut.start();
    sut.sessionEnded();
    expect(sut.user()).toBeNull();
    expect(sut.ended()).toBe(true);
    expect(await sut.signInWithPassword('alice', 'correct horse')).toBeNull();
    expect(sut.ended()).toBe(false);
  });

  test('a refused socket is checked with the server: signed out only when the session is gone', async () => {
    const sut = setUp();
    api.signedIn = api.addAccount('alice', 'correct horse');
    await sut.start();
    await sut.verify();
    expect(sut.user()?.name).toBe('alice');
    api.signedIn = null;
    await sut.verify();
    expect(sut.user()).toBeNull();
    expect(sut.ended()).toBe(true);
  });

  test('any call answered 401 (the session expired or was revoked) signs this device out', async () => {
    const sut = setUp();
    api.signedIn = api.addAccount('alice', 'correct horse');
    await sut.start();
    api.signedIn = null;
    await api.conversations().catch(() => undefined);
    expect(sut.user()).toBeNull();
    expect(sut.ended()).toBe(true);
  });

  test('a server from before accounts (no /api/auth/config) is the open one', async () => {
    const sut = setUp();
    api.authConfig = () => Promise.reject(new ApiError(404, 'Cannot GET /api/auth/config'));
    await sut.start();
    expect(sut.mode()).toBe('open');
  });

  test('an unreachable server leaves the mode unknown with a reason, and a retry finds it', async () => {
    const sut = setUp();
    api.failing = true;
    await sut.start();
    expect(sut.mode()).toBeNull();
    expect(sut.startError()).toMatch(/Could not reach the server/);
    api.failing = false;
    await sut.start();
    expect(sut.mode()).toBe('accounts');
    expect(sut.startError()).toBeNull();
  });
});
