import type { ClientFrame } from '@chatstream/protocol';
import type { ChatSocket } from './chat-socket.service';
import { newClientId, Outbox } from './outbox';

/** A socket that is open or not, and records what it was asked to send. */
class FakeSocket {
  open = true;
  readonly sent: ClientFrame[] = [];
  private readonly waiting: Array<{ frame: ClientFrame; written?: () => void }> = [];

  send(frame: ClientFrame, written?: () => void): 'sent' | 'queued' {
    if (!this.open) {
      this.waiting.push({ frame, written });
      return 'queued';
    }
    this.sent.push(frame);
    written?.();
    return 'sent';
  }

  reopen(): void {
    this.open = true;
    for (const { frame, written } of this.waiting.splice(0)) this.send(frame, written);
  }
}

describe('Outbox', () => {
  function outbox() {
    const socket = new FakeSocket();
    const sut = new Outbox(socket as unknown as ChatSocket, (room, content, clientId) => ({ type: 'text', content, room, client_id: clientId }), 60_000);
    return { socket, sut };
  }
  const clientIds = (socket: FakeSocket) => socket.sent.map((frame) => (frame as { client_id?: string }).client_id);

  afterEach(() => jest.useRealTimers());

  test('each message carries a fresh client_id', () => {
    const { socket, sut } = outbox();
    sut.send('general', 'a');
    sut.send('general', 'a');
    const [first, second] = clientIds(socket);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).not.toBe(first);
  });

  test('client_ids are UUIDs in an insecure context too (plain http on a LAN has no randomUUID)', () => {
    const randomUUID = crypto.randomUUID;
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
    try {
      const ids = new Set(Array.from({ length: 50 }, () => newClientId()));
      expect(ids.size).toBe(50);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      Object.defineProperty(crypto, 'randomUUID', { value: randomUUID, configurable: true });
    }
  });

  test('is confirmed by client_id only', () => {
    const { socket, sut } = outbox();
    sut.send('general', 'hello');
    expect(sut.acknowledge('someone-else')).toBe(false);
    expect(sut.acknowledge(undefined)).toBe(false);
    expect(sut.count()).toBe(1);
    expect(sut.acknowledge(clientIds(socket)[0])).toBe(true);
    expect(sut.count()).toBe(0);
  });

  test('after a lost connection, unconfirmed messages go again in order under the same client_ids', () => {
    const { socket, sut } = outbox();
    sut.send('general', 'one');
    sut.send('general', 'two');
    const before = clientIds(socket);
    sut.connectionLost();
    expect(sut.items().map((item) => item.status)).toEqual(['unconfirmed', 'unconfirmed']);
    sut.resendUnconfirmed();
    expect(socket.sent.slice(2).map((frame) => (frame as { content: string }).content)).toEqual(['one', 'two']);
    expect(clientIds(socket).slice(2)).toEqual(before);
    expect(sut.items().map((item) => item.status)).toEqual(['sending', 'sending']);
  });

  test('a message written while closed waits queued and is not resent twice', () => {
    const { socket, sut } = outbox();
    socket.open = false;
    sut.send('general', 'offline');
    sut.connectionLost();
    sut.resendUnconfirmed();
    expect(sut.items()[0].status).toBe('queued');
    socket.reopen();
    expect(socket.sent).toHaveLength(1);
  });

  test('no echo in time: failed, and a retry keeps the client_id', () => {
    jest.useFakeTimers();
    const socket = new FakeSocket();
    const sut = new Outbox(socket as unknown as ChatSocket, (room, content, clientId) => ({ type: 'text', content, room, client_id: clientId }), 1000);
    sut.send('general', 'slow');
    jest.advanceTimersByTime(1001);
    expect(sut.items()[0].status).toBe('failed');
    sut.retry(sut.items()[0].localId);
    expect(clientIds(socket)[1]).toBe(clientIds(socket)[0]);
    sut.dispose();
  });
});
