import { startProcess, type ServerProcess } from './processes';
import { handshake, query } from './ws-helpers';
import type { TestServer } from './harness';

/*
 * The contract's "Logs" line, on the real process with its stdout a pipe (as
 * under systemd or docker): client text cannot forge a log line or put
 * control characters into the log, and the log carries no colour codes.
 */

/** A fake log line, with an escape sequence that would erase the line on a terminal. */
const FORGED = '[Nest] 1  - 12/01/2026, 9:00:00 AM     LOG [Connections] connection opened user=admin';
const ATTACK = `mallory\n${FORGED}\u001b[2K\u001b[1A\r`;
/** One that fits in a 64-character user id. */
const SHORT_FORGED = '[Nest] 1  - LOG [Connections] user=admin';

describe('log lines', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startProcess({ STORAGE: 'memory', LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    server.child.kill('SIGKILL');
  });

  it('hold no raw control characters, no forged line and no colour codes, whatever clients send', async () => {
    const asTestServer = { port: server.port } as TestServer;
    // Refused at the edge: never logged raw.
    expect(await handshake(asTestServer, query({ user_id: ATTACK, username: 'Mallory' }))).toBe('http 400');
    expect(await handshake(asTestServer, query({ user_id: 'mallory', username: ATTACK }))).toBe('http 400');
    expect((await server.http('POST', '/api/rooms', { name: ATTACK })).status).toBe(400);
    expect((await server.http('POST', '/api/messages', { content: ATTACK, sender: 'm', sender_id: 'm', room: 'general' })).status).toBe(400);
    // Allowed by the character rule (not a control character), but a line break to some log viewers: logged escaped.
    const separated = `mallory\u2028${SHORT_FORGED}`;
    const client = await server.connect(separated, 'Mallory', 2);
    client.send({ type: 'join_room', content: 'general' });
    await client.next((f) => f.type === 'join');
    client.send(`{"type":"text","content":"x","room":"general","extra":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    await client.next((f) => f.type === 'error');
    await client.close();

    const deadline = Date.now() + 5000;
    while (!server.output().includes('connection closed user=mallory') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const log = server.output();
    expect(log).toContain(`connection opened user=mallory\\u2028${SHORT_FORGED}`);
    expect(log).toContain(`connection closed user=mallory\\u2028${SHORT_FORGED}`);
    // Line breaks only between lines; no other control character, no colour code.
    expect(log).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    const lines = log.split('\n');
    expect(lines.filter((line) => line.includes('user=admin') && !line.includes('user=mallory'))).toEqual([]);
  });
});
