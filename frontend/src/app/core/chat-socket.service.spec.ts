import { TestBed } from '@angular/core/testing';
import type { ServerFrame } from '@chatstream/protocol';
import { FakeWebSocket } from '../../testing/fake-web-socket';
import { ChatSocket } from './chat-socket.service';
import { RECONNECT_POLICY, SOCKET_URL, WEB_SOCKET_CTOR } from './config';

const USER = { id: 'u-1', name: 'Ann Lee' };
const text = (id: string, content = 'hi'): ServerFrame => ({
  id,
  type: 'text',
  content,
  sender: 'bob',
  sender_id: 'u-2',
  room: 'general',
  seq: 1,
  timestamp: '2026-01-01T00:00:00.000Z',
});

describe('ChatSocket', () => {
  let sut: ChatSocket;
  let received: ServerFrame[];

  beforeEach(() => {
    jest.useFakeTimers();
    FakeWebSocket.reset();
    TestBed.configureTestingModule({
      providers: [
        ChatSocket,
        { provide: WEB_SOCKET_CTOR, useValue: FakeWebSocket },
        { provide: SOCKET_URL, useValue: (query: string) => `ws://chat.test/api/ws?${query}` },
        { provide: RECONNECT_POLICY, useValue: { initialMs: 100, maxMs: 800 } },
      ],
    });
    sut = TestBed.inject(ChatSocket);
    received = [];
    sut.frames$.subscribe((frame) => received.push(frame));
  });

  afterEach(() => {
    TestBed.resetTestingModule();
    jest.useRealTimers();
  });

  test('connects at protocol level 2 with the user id and name in the query', () => {
    sut.connect(USER);
    const url = new URL(FakeWebSocket.last.url);
    expect(url.pathname).toBe('/api/ws');
    expect(Object.fromEntries(url.searchParams)).toEqual({ user_id: 'u-1', username: 'Ann Lee', protocol: '2' });
    expect(sut.state()).toBe('connecting');
    FakeWebSocket.last.accept();
    expect(sut.state()).toBe('connected');
  });

  test('with the session cookie (accounts mode) the query names nobody: the server says who the socket is', () => {
    sut.connect('session-cookie');
    const url = new URL(FakeWebSocket.last.url);
    expect(url.pathname).toBe('/api/ws');
    expect(Object.fromEntries(url.searchParams)).toEqual({ protocol: '2' });
  });

  test('closed with 4001 (session ended) it says so and stays closed instead of reconnecting', () => {
    const ended = jest.fn();
    sut.sessionEnded$.subscribe(ended);
    sut.connect('session-cookie');
    FakeWebSocket.last.accept();
    sut.send({ type: 'text', content: 'never sent', room: 'general' });
    FakeWebSocket.last.drop(4001);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(sut.state()).toBe('offline');
    jest.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  test('any other close reconnects as before, and an attempt that never opened is reported as refused', () => {
    const ended = jest.fn();
    const refused = jest.fn();
    sut.sessionEnded$.subscribe(ended);
    sut.refused$.subscribe(refused);
    sut.connect('session-cookie');
    FakeWebSocket.last.accept();
    FakeWebSocket.last.drop(1001);
    expect(refused).not.toHaveBeenCalled();
    jest.advanceTimersByTime(200);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.drop();
    expect(refused).toHaveBeenCalledTimes(1);
    expect(ended).not.toHaveBeenCalled();
    expect(sut.state()).toBe('reconnecting');
  });

  test('passes server frames on once each, dropping repeats by id and anything that is not a frame', () => {
    sut.connect(USER);
    const server = FakeWebSocket.last;
    server.accept();
    server.deliver(text('m1'));
    server.deliver(text('m1'));
    server.deliver('not json');
    server.deliver({ no: 'type' });
    server.deliver({ type: 'presence', content: 'online', user_id: 'u-3', username: 'cy', timestamp: 't' });
    server.deliver({ type: 'presence', content: 'online', user_id: 'u-3', username: 'cy', timestamp: 't' });
    server.deliver(text('m2'));
    expect(received.map((frame) => ('id' in frame ? frame.id : frame.type))).toEqual(['m1', 'presence', 'presence', 'm2']);
  });

  test('a frame seen on one connection is not passed on again after a reconnect', () => {
    sut.connect(USER);
    FakeWebSocket.last.accept();
    FakeWebSocket.last.deliver(text('m1'));
    FakeWebSocket.last.drop();
    jest.advanceTimersByTime(200);
    FakeWebSocket.last.accept();
    FakeWebSocket.last.deliver(text('m1'));
    FakeWebSocket.last.deliver(text('m2'));
    expect(received.map((frame) => ('id' in frame ? frame.id : ''))).toEqual(['m1', 'm2']);
  });

  test('frames sent while not connected wait in order and go out after the rejoins of the next open', () => {
    sut.connect(USER);
    expect(sut.send({ type: 'text', content: 'one', room: 'general' })).toBe('queued');
    expect(sut.send({ type: 'text', content: 'two', room: 'general' })).toBe('queued');
    expect(sut.queued).toBe(2);
    sut.opened$.subscribe(() => sut.send({ type: 'join_room', content: 'general' }));
    FakeWebSocket.last.accept();
    expect(FakeWebSocket.last.sent).toEqual([
      { type: 'join_room', content: 'general' },
      { type: 'text', content: 'one', room: 'general' },
      { type: 'text', content: 'two', room: 'general' },
    ]);
    expect(sut.queued).toBe(0);
    expect(sut.send({ type: 'text', content: 'three', room: 'general' })).toBe('sent');
  });

  test('tells the sender when a queued frame is written', () => {
    sut.connect(USER);
    const written = jest.fn();
    sut.send({ type: 'text', content: 'later', room: 'general' }, written);
    expect(written).not.toHaveBeenCalled();
    FakeWebSocket.last.accept();
    expect(written).toHaveBeenCalledTimes(1);
  });

  test('after a drop it reconnects by itself with doubling delays, capped', () => {
    sut.connect(USER);
    FakeWebSocket.last.accept();
    FakeWebSocket.last.drop();
    expect(sut.state()).toBe('reconnecting');
    const delays: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = FakeWebSocket.instances.length;
      let waited = 0;
      while (FakeWebSocket.instances.length === before) {
        jest.advanceTimersByTime(10);
        waited += 10;
      }
      delays.push(waited);
      if (attempt < 4) FakeWebSocket.last.drop();
    }
    // 100, 200, 400, 800, 800 ms, each within ±25 % jitter.
    [100, 200, 400, 800, 800].forEach((expected, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(expected * 0.75);
      expect(delays[i]).toBeLessThanOrEqual(expected * 1.25 + 10);
    });
    FakeWebSocket.last.accept();
    expect(sut.state()).toBe('connected');
  });

  test('a clean close by the server (going away on restart) also reconnects', () => {
    sut.connect(USER);
    FakeWebSocket.last.accept();
    FakeWebSocket.last.drop(1001);
    expect(sut.state()).toBe('reconnecting');
    jest.advanceTimersByTime(200);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  test('announces each drop of an open socket, not failed attempts', () => {
    const drops = jest.fn();
    sut.dropped$.subscribe(drops);
    sut.connect(USER);
    FakeWebSocket.last.drop();
    expect(drops).not.toHaveBeenCalled();
    jest.advanceTimersByTime(200);
    FakeWebSocket.last.accept();
    FakeWebSocket.last.drop();
    expect(drops).toHaveBeenCalledTimes(1);
  });

  test('the browser coming back online retries at once', () => {
    sut.connect(USER);
    FakeWebSocket.last.accept();
    FakeWebSocket.last.drop();
    window.dispatchEvent(new Event('online'));
    jest.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  test('disconnect closes the socket, stops reconnecting and forgets what waited', () => {
    sut.connect(USER);
    FakeWebSocket.last.accept();
    const socket = FakeWebSocket.last;
    socket.drop();
    sut.send({ type: 'text', content: 'x', room: 'general' });
    sut.disconnect();
    expect(sut.queued).toBe(0);
    expect(socket.readyState).toBe(3);
    expect(sut.state()).toBe('offline');
    jest.advanceTimersByTime(10_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});
