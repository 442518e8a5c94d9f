import { TestBed } from '@angular/core/testing';
import type { AuthSessionInfo } from '@chatstream/protocol';
import { ApiClient } from '../core/api-client';
import { FakeApi } from '../../testing/fake-api';
import { SessionStore } from '../session/session.store';
import { AccountStore } from './account.store';

const session = (id: string, lastUsed: string, current = false): AuthSessionInfo => ({
  id,
  created_at: '2026-01-01T08:00:00.000Z',
  last_used_at: lastUsed,
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36',
  current,
});

describe('AccountStore', () => {
  let api: FakeApi;
  let sut: AccountStore;
  let signedIn: SessionStore;

  beforeEach(async () => {
    localStorage.clear();
    api = new FakeApi();
    api.config = { auth: 'accounts', registration: 'open' };
    api.signedIn = api.addAccount('alice', 'correct horse');
    api.sessionList = [
      session('s-old', '2026-01-02T10:00:00.000Z'),
      session('s-here', '2026-01-03T09:00:00.000Z', true),
      session('s-phone', '2026-01-03T10:00:00.000Z'),
    ];
    TestBed.configureTestingModule({ providers: [AccountStore, { provide: ApiClient, useValue: api }] });
    signedIn = TestBed.inject(SessionStore);
    await signedIn.start();
    sut = TestBed.inject(AccountStore);
  });

  afterEach(() => TestBed.resetTestingModule());

  test('lists this device first, then the most recently used', async () => {
    await sut.load();
    expect(sut.sessions().map((s) => s.id)).toEqual(['s-here', 's-phone', 's-old']);
  });

  test('ending another session removes it and keeps this device signed in', async () => {
    await sut.load();
    await sut.end('s-phone');
    expect(api.calls).toContain('endSession s-phone');
    expect(sut.sessions().map((s) => s.id)).toEqual(['s-here', 's-old']);
    expect(signedIn.user()?.name).toBe('alice');
  });

  test('ending the current session signs this device out (without "your session has ended")', async () => {
    await sut.load();
    await sut.end('s-here');
    expect(signedIn.user()).toBeNull();
    expect(signedIn.ended()).toBe(false);
  });

  test('a session that had already ended disappears from the list without an error', async () => {
    await sut.load();
    api.sessionList = api.sessionList.filter((s) => s.id !== 's-old');
    await sut.end('s-old');
    expect(sut.sessions().map((s) => s.id)).toEqual(['s-here', 's-phone']);
    expect(sut.error()).toBeNull();
  });

  test('when this device’s own session is gone (401) it is signed out', async () => {
    api.signedIn = null;
    await sut.load();
    expect(signedIn.user()).toBeNull();
    expect(signedIn.ended()).toBe(true);
  });
});
