import { TestBed } from '@angular/core/testing';
import { ApiClient, ApiError } from './api-client';

/** Answers every fetch with this status and JSON body (and headers). */
function serverAnswers(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchMock = jest.fn(async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return {
      ok: status >= 200 && status < 300,
      status,
      statusText: '',
      headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
      json: async () => body,
    };
  });
  Object.defineProperty(globalThis, 'fetch', { value: fetchMock, configurable: true, writable: true });
  return calls;
}

describe('ApiClient', () => {
  let sut: ApiClient;
  let unauthorized: jest.Mock;
  const originalFetch = globalThis.fetch;

  beforeEach(() => {
    sut = TestBed.inject(ApiClient);
    unauthorized = jest.fn();
    sut.unauthorized$.subscribe(unauthorized);
  });

  afterEach(() => {
    Object.defineProperty(globalThis, 'fetch', { value: originalFetch, configurable: true, writable: true });
    TestBed.resetTestingModule();
  });

  test('a 401 on an ordinary call says the session has ended', async () => {
    serverAnswers(401, { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });
    await expect(sut.rooms()).rejects.toEqual(new ApiError(401, 'Unauthorized'));
    expect(unauthorized).toHaveBeenCalledTimes(1);
  });

  test('a wrong password (401 on login) is not the end of a session', async () => {
    serverAnswers(401, { statusCode: 401, message: 'invalid username or password', error: 'Unauthorized' });
    await expect(sut.login('alice', 'wrong')).rejects.toThrow('invalid username or password');
    expect(unauthorized).not.toHaveBeenCalled();
  });

  test('a 429 carries the wait of Retry-After, in seconds or as a date', async () => {
    serverAnswers(429, { statusCode: 429, message: 'too many', error: 'Too Many Requests' }, { 'retry-after': '120' });
    await expect(sut.login('alice', 'x')).rejects.toMatchObject({ status: 429, retryAfterS: 120 });
    serverAnswers(429, { statusCode: 429, message: 'too many', error: 'Too Many Requests' }, {
      'retry-after': new Date(Date.now() + 60_000).toUTCString(),
    });
    const error = (await sut.login('alice', 'x').catch((e: unknown) => e)) as ApiError;
    expect(error.retryAfterS).toBeGreaterThan(55);
    expect(error.retryAfterS).toBeLessThanOrEqual(60);
  });

  test('signing in sends the credentials as JSON and keeps no token (the session is the cookie)', async () => {
    const calls = serverAnswers(200, { user: { id: 'u1', username: 'alice' }, token: 'secret-token' });
    expect(await sut.login('alice', 'correct horse')).toEqual({ id: 'u1', username: 'alice' });
    expect(calls[0].url).toBe('/api/auth/login');
    expect(calls[0].init.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ username: 'alice', password: 'correct horse' });
  });

  test('conversation history pages by before=', async () => {
    const calls = serverAnswers(200, { messages: [] });
    await sut.conversationHistory('u 2', { limit: 100, before: 'm-9' });
    expect(calls[0].url).toBe('/api/conversations/u%202/messages?limit=100&before=m-9');
  });
});
