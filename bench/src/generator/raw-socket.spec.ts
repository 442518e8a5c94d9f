import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { acceptFor, checkHandshake, readFrames } from './raw-socket';
import type { TargetAddress } from './messages';
import { openSocket, type FrameSink } from './transports';

/** A `ws` server that welcomes like the contract and records what its clients send. */
async function contractServer(): Promise<{ target: TargetAddress; received: string[]; urls: string[]; sockets: WebSocket[]; close: () => Promise<void> }> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, path: '/api/ws' });
  const received: string[] = [];
  const urls: string[] = [];
  const sockets: WebSocket[] = [];
  wss.on('connection', (ws, req) => {
    urls.push(req.url ?? '');
    sockets.push(ws);
    ws.on('message', (data) => received.push(String(data)));
    ws.send(JSON.stringify({ id: 'w', type: 'system', content: 'Welcome to the chat!', sender: 'System', sender_id: '', timestamp: '' }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    target: { protocol: 'contract', host: '127.0.0.1', port },
    received,
    urls,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
}

function sink(): FrameSink & { frames: string[]; closedCount: number } {
  const s = {
    frames: [] as string[],
    closedCount: 0,
    raw: (frame: Buffer) => void s.frames.push(frame.toString()),
    decoded: () => undefined,
    closed: () => void s.closedCount++,
  };
  return s;
}

const until = async (check: () => boolean, ms = 2000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('the raw-socket WebSocket client of the connect storm', () => {
  it('completes the handshake with a real ws server, waits for the welcome, then sends and receives frames', async () => {
    const server = await contractServer();
    try {
      const frames = sink();
      const socket = await openSocket(server.target, { userId: 'u1', username: 'ann', timeoutMs: 2000, rawHandshake: true }, frames);
      expect(socket.open).toBe(true);
      expect(server.urls[0]).toBe('/api/ws?user_id=u1&username=ann&protocol=2');
      // Masked client frames, short and with a 16-bit length, arrive intact.
      const long = 'x'.repeat(300);
      socket.send({ type: 'join_room', content: 'general' });
      socket.send({ type: 'text', content: long, room: 'general' });
      await until(() => server.received.length === 2);
      expect(JSON.parse(server.received[0])).toEqual({ type: 'join_room', content: 'general' });
      expect(JSON.parse(server.received[1]).content).toBe(long);
      // Frames after the welcome go to the sink, whatever their length.
      server.sockets[0].send('{"type":"text","content":"hi"}');
      server.sockets[0].send(JSON.stringify({ type: 'text', content: 'y'.repeat(70_000) }));
      await until(() => frames.frames.length === 2);
      expect(frames.frames[0]).toBe('{"type":"text","content":"hi"}');
      expect(JSON.parse(frames.frames[1]).content).toHaveLength(70_000);
      await socket.close();
      expect(socket.open).toBe(false);
      expect(frames.closedCount).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('fails when the server refuses the upgrade or closes before the welcome', async () => {
    const refusing = createServer((_req, res) => res.writeHead(404).end());
    refusing.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const target: TargetAddress = { protocol: 'contract', host: '127.0.0.1', port: (refusing.address() as AddressInfo).port };
    try {
      await expect(openSocket(target, { userId: 'u', username: 'u', timeoutMs: 2000, rawHandshake: true }, sink())).rejects.toThrow('HTTP 403 on upgrade');
    } finally {
      await new Promise((resolve) => refusing.close(resolve));
    }
  });

  it('checks the accept header against its own key', () => {
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    // RFC 6455 §1.3's worked example.
    expect(acceptFor(key)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const head = (accept: string) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}`;
    expect(checkHandshake(head('s3pPLMBiTxaQ9kYGzzhZRbK+xOo='), key)).toBeUndefined();
    expect(checkHandshake(head('AAAAAAAAAAAAAAAAAAAAAAAAAAA='), key)).toBe('wrong Sec-WebSocket-Accept');
    expect(checkHandshake('HTTP/1.1 400 Bad Request', key)).toBe('HTTP 400 on upgrade');
  });

  it('reads frames split across chunks and keeps an incomplete one for later', () => {
    const frame = (text: string) => Buffer.concat([Buffer.from([0x81, text.length]), Buffer.from(text)]);
    const both = Buffer.concat([frame('one'), frame('two')]);
    const seen: string[] = [];
    const rest = readFrames(both.subarray(0, 7), (_op, payload) => seen.push(payload.toString()));
    expect(seen).toEqual(['one']);
    expect(readFrames(Buffer.concat([rest, both.subarray(7)]), (_op, payload) => seen.push(payload.toString()))).toHaveLength(0);
    expect(seen).toEqual(['one', 'two']);
    expect(() => readFrames(Buffer.from([0x81, 0x83, 0, 0, 0, 0, 1, 2, 3]), () => undefined)).toThrow('must not be masked');
  });
});
