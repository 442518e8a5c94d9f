import { Logger } from '@nestjs/common';
import { MAX_BUFFERED_BYTES } from '@chatstream/protocol';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import WebSocket from 'ws';
import { Client, sleep, TestServer } from './harness';
import { MAIN, startProcess } from './processes';

describe('running the server for real', () => {
  it('stops at start with one line naming a bad variable', async () => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('PORT');
  });

  it('logs connections with user id and count, never message content, and shuts down gracefully on SIGTERM', async () => {
    const { child, output, port } = await startProcess({ STORAGE: 'memory' });
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/ws?user_id=u-ops&username=Ops`);
    const client = new Client(socket);
    await client.next((f) => f.type === 'system');
    await client.join('general');
    client.send({ type: 'text', content: 'top secret words', room: 'general' });
    await client.next((f) => f.type === 'text');
    expect(output()).toMatch(/connection opened user=u-ops .*open=1/);
    expect(output()).not.toContain('top secret words');

    const exited = once(child, 'exit');
    const closed = once(socket, 'close');
    child.kill('SIGTERM');
    const [code] = await closed;
    expect(code).toBe(1001);
    await exited;
    // The process went away: nothing listens any more.
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
  });
});

describe('connection limits', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start({ heartbeatMs: 200 })));
  afterAll(() => server.close());

  it('drops a connection that stops answering pings, and presence goes offline', async () => {
    const watcher = await server.connect('hb-watch', 'Watch', 2);
    await watcher.join('general');
    const dead = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws?user_id=hb-dead&username=Dead&protocol=2`, { autoPong: false });
    const deadClient = new Client(dead);
    await deadClient.next((f) => f.type === 'system');
    await deadClient.join('general');
    await watcher.next((f) => f.type === 'presence' && f.user_id === 'hb-dead' && f.content === 'offline', 5000);
    const { body } = await server.http('GET', '/api/users');
    expect(body.users.map((u: { id: string }) => u.id)).not.toContain('hb-dead');
  });

  it('disconnects a client that stops reading instead of buffering for it without bound, and logs what it had queued', async () => {
    // Its own server, with the default heartbeat: the 200 ms one above would drop the stalled client first.
    const server = await TestServer.start();
    const logged = jest.spyOn(Logger.prototype, 'log');
    const reader = await server.connect('slow-reader', 'Reader', 2);
    await reader.join('general');
    const stalled = await server.connect('slow-stalled', 'Stalled', 2);
    await stalled.join('general');
    const sender = await server.connect('slow-sender', 'Sender', 2);
    await sender.join('general');
    // Stop reading: the kernel buffers fill, then the server's queue for this client grows.
    (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const content = 'x'.repeat(3900);
    let round = 0;
    let online = true;
    while (online && round < 400) {
      // A healthy sender: a burst, then it waits for its own copy of the burst's last message.
      for (let i = 0; i < 50; i++) sender.send({ type: 'text', content: i === 49 ? `${content}-${round}` : content, room: 'general' });
      await sender.next((f) => f.type === 'text' && f.content === `${content}-${round}`, 10000);
      round++;
      const { body } = await server.http('GET', '/api/users');
      online = body.users.some((u: { id: string }) => u.id === 'slow-stalled');
    }
    expect(online).toBe(false);
    const cut = logged.mock.calls.map(([line]) => String(line)).find((line) => line.startsWith('connection closed user=slow-stalled'));
    logged.mockRestore();
    const buffered = Number(/ reason=slow-consumer buffered=(\d+)$/.exec(cut ?? '')?.[1]);
    expect(buffered).toBeGreaterThan(MAX_BUFFERED_BYTES);
    // Everyone else is still served.
    sender.send({ type: 'text', content: 'still here', room: 'general' });
    await reader.next((f) => f.type === 'text' && f.content === 'still here', 10000);
    await Promise.all([reader.close(), sender.close()]);
    await server.close();
  }, 60000);
});
