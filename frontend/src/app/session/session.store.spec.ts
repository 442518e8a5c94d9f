import { TestBed } from '@angular/core/testing';
import { SessionStore, newUserId } from './session.store';

describe('SessionStore', () => {
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
    sut.signOut();
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
