import { TestBed } from '@angular/core/testing';
import type { SearchResult } from '@chatstream/protocol';
import { ApiError } from '../core/api-client';
import { setUpChat } from '../../testing/harness';
import { message } from '../../testing/fake-api';
import { roomKey } from '../read-state/badges';
import { SEARCH_DEBOUNCE_MS, SearchStore } from './search.store';

function found(content: string, room = 'general'): SearchResult {
  return { ...message(room, content), highlights: [[0, 3]] };
}

async function setUp() {
  const t = setUpChat({ joined: ['general'], auth: 'accounts' });
  await t.connect();
  return { t, sut: TestBed.inject(SearchStore) };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('SearchStore', () => {
  afterEach(() => {
    jest.useRealTimers();
    TestBed.resetTestingModule();
  });

  test('typing is debounced: one search for a burst of keys, with the last query', async () => {
    const { t, sut } = await setUp();
    jest.useFakeTimers();
    for (const q of ['d', 'de', 'dep', 'depl']) {
      sut.type(q);
      jest.advanceTimersByTime(SEARCH_DEBOUNCE_MS - 50);
    }
    jest.advanceTimersByTime(50);
    await flush();
    expect(t.api.calls.filter((call) => call.startsWith('search'))).toEqual(['search depl']);
  });

  test('a slow answer to an older query never replaces the newer one', async () => {
    const { t, sut } = await setUp();
    let answerOld: (results: SearchResult[]) => void = () => undefined;
    t.api.searchAnswer = (q) => (q === 'old' ? new Promise((resolve) => (answerOld = resolve)) : Promise.resolve([found('new one')]));
    sut.type('old');
    sut.submit();
    sut.type('new');
    sut.submit();
    await flush();
    answerOld([found('old one')]);
    await flush();
    expect(sut.results().map((r) => r.content)).toEqual(['new one']);
  });

  test('while a new query waits for its answer, the old results are not presented as its own', async () => {
    const { t, sut } = await setUp();
    t.api.searchAnswer = async (q) => [found(q)];
    sut.type('first');
    sut.submit();
    await flush();
    expect(sut.status()).toBe('done');
    sut.type('second');
    expect(sut.status()).toBe('searching');
  });

  test('a blank query asks nothing and clears the results', async () => {
    const { t, sut } = await setUp();
    t.api.searchAnswer = async () => [found('hit')];
    sut.type('hit');
    sut.submit();
    await flush();
    sut.type('   ');
    sut.submit();
    await flush();
    expect(sut.results()).toEqual([]);
    expect(sut.status()).toBe('idle');
    expect(t.api.calls.filter((call) => call.startsWith('search'))).toEqual(['search hit']);
  });

  test('a refused query (400) says why', async () => {
    const { t, sut } = await setUp();
    t.api.searchAnswer = async () => {
      throw new ApiError(400, 'q must be at most 200 characters');
    };
    sut.type('x'.repeat(201));
    sut.submit();
    await flush();
    expect([sut.status(), sut.error()]).toEqual(['error', 'q must be at most 200 characters']);
  });

  test('choosing a room result opens the room and asks its log to show the message', async () => {
    const { t, sut } = await setUp();
    const result = found('in dev', 'dev');
    sut.choose(result);
    expect(t.rooms.openId()).toBe('dev');
    expect(sut.focusIn(roomKey('dev'))).toEqual({ id: result.id });
    expect(sut.focusIn(roomKey('general'))).toBeNull();
  });
});
