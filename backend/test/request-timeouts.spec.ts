import { connect, type Socket } from 'node:net';
import { sleep, TestServer } from './harness';

/*
 * The contract's "Time" line: a request whose headers or body have not fully
 * arrived within REQUEST_TIMEOUT_MS (30 s; 600 ms here) is answered 408 and
 * closed, instead of holding the socket for minutes.
 */
const TIMEOUT_MS = 600;

/** What the server wrote on a raw TCP connection before closing it. */
interface Outcome {
  answer: string;
  closed: boolean;
}

/** Opens a raw connection, lets `talk` write to it, and resolves when the server closes it (or after 10 s). */
function rawExchange(port: number, talk: (socket: Socket) => Promise<void> | void): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let closed = false;
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closed });
    }, 10_000);
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      clearTimeout(giveUp);
      resolve({ answer, closed });
    });
    socket.on('connect', () => void Promise.resolve(talk(socket)));
  });
}

/** 408 with the JSON body every 4xx has, and the connection closed. */
function expectTimedOut(outcome: Outcome): void {
  expect(outcome.answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  const body = outcome.answer.slice(outcome.answer.indexOf('\r\n\r\n') + 4);
  expect(JSON.parse(body)).toEqual({ statusCode: 408, message: expect.stringContaining(`${TIMEOUT_MS} ms`), error: 'Request Timeout' });
  expect(outcome.closed).toBe(true);
}

describe('request timeouts', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await TestServer.start({ requestTimeoutMs: TIMEOUT_MS });
  });
  afterAll(() => server.close());

  it('a body announced as 100 MB of which 8 bytes arrive gets 408 and the connection is closed', async () => {
    const outcome = await rawExchange(server.port, (socket) => {
      socket.write('POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{"name":');
    });
    expectTimedOut(outcome);
  });

  it('a chunked body that stalls gets 408 and the connection is closed', async () => {
    const outcome = await rawExchange(server.port, (socket) => {
      socket.write('POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"con\r\n');
    });
    expectTimedOut(outcome);
  });

  it('headers trickled one byte at a time (slowloris) get 408 and the connection is closed', async () => {
    let stop = false;
    const outcome = await rawExchange(server.port, async (socket) => {
      socket.write('GET /api/rooms HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      while (!stop && !socket.destroyed) {
        socket.write('a');
        await sleep(50);
      }
    });
    stop = true;
    expectTimedOut(outcome);
  });

  it('a request Node cannot parse gets a JSON 400 and the connection is closed', async () => {
    const outcome = await rawExchange(server.port, (socket) => {
      socket.write('GET /api/rooms HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n');
    });
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(outcome.answer).toContain('{"statusCode":400,"message":"malformed HTTP request","error":"Bad Request"}');
    expect(outcome.closed).toBe(true);
  });

  it('a request that arrives in time is answered as usual', async () => {
    expect((await server.http('GET', '/api/rooms')).status).toBe(200);
    expect((await server.http('POST', '/api/rooms', { name: `timely-${Date.now()}` })).status).toBe(201);
  });

  it('a WebSocket open for longer than the timeout is not cut', async () => {
    const client = await server.connect(`ws-${Date.now()}`);
    await client.join('general');
    await sleep(3 * TIMEOUT_MS);
    client.send({ type: 'text', content: 'still here', room: 'general' });
    expect(await client.next((f) => f.type === 'text' || f.type === 'error')).toMatchObject({ type: 'text', content: 'still here' });
    await client.close();
  });
});
