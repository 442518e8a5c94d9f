import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerFrame } from '@chatstream/protocol';
import { KyselyStorage } from '../src/storage/storage-health';
import { PASSWORD, tryUpgrade, username, type Credentials } from './accounts';
import { DIALECTS, type TestDatabase } from './databases';
import { Client, sleep, TestServer } from './harness';

/* The "Accounts" section of the contract (AUTH=accounts) and the attacks of issue 11, over real HTTP and ws. */

const isPrivate = (content: string) => (f: ServerFrame) => f.type === 'private' && f.content === content;
const isText = (content: string) => (f: ServerFrame) => f.type === 'text' && f.content === content;

function expectUnauthorized(answer: { status: number; body: any }): void {
  expect(answer.status).toBe(401);
  expect(answer.body).toEqual({ statusCode: 401, message: expect.any(String), error: 'Unauthorized' });
}

/** Waits for the socket to close; answers its close code. */
async function closeCode(client: Client, ms = 1000): Promise<number | undefined> {
  const deadline = Date.now() + ms;
  while (!client.closed && Date.now() < deadline) await sleep(10);
  return client.closed?.code;
}

describe.each(DIALECTS)('accounts on %s', (dialect, create) => {
  let database: TestDatabase;
  let server: TestServer;
  const clients: Client[] = [];
  const track = (client: Client): Client => (clients.push(client), client);
  const origin = () => server.url;

  beforeAll(async () => {
    database = await create();
    const storage = dialect === 'postgres' ? { storage: 'postgres' as const, databaseUrl: database.databaseUrl } : { dataDir: database.dataDir };
    server = await TestServer.start({ auth: 'accounts', allowedOrigins: ['https://allowed.example'], ...storage });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  describe('who you are', () => {
    it('says which mode it runs in, to anyone', async () => {
      const answer = await server.request('GET', '/api/auth/config');
      expect(answer).toMatchObject({ status: 200, body: { auth: 'accounts', registration: 'open' } });
    });

    it('registers an account: 201 with the user and a token, and an HttpOnly SameSite=Lax session cookie', async () => {
      const name = username('reg');
      const answer = await server.request('POST', '/api/auth/register', { body: { username: name, password: PASSWORD } });
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({ user: { id: expect.any(String), username: name }, token: expect.stringMatching(/^[A-Za-z0-9_-]{43,}$/) });
      const cookie = answer.headers.getSetCookie().find((line) => line.startsWith('chatstream_session='));
      expect(cookie).toBeDefined();
      const attributes = (cookie as string).split(';').map((part) => part.trim());
      expect(attributes[0]).toBe(`chatstream_session=${answer.body.token}`);
      expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/', `Max-Age=${30 * 24 * 3600}`]));
      expect(attributes).not.toContain('Secure'); // plain http, COOKIE_SECURE=auto
      expect(JSON.stringify(answer.body)).not.toMatch(/password|hash/i);
    });

    it('marks the cookie Secure when the request came over https (X-Forwarded-Proto needs TRUST_PROXY)', async () => {
      const answer = await server.request('POST', '/api/auth/register', {
        body: { username: username('sec'), password: PASSWORD },
        headers: { 'x-forwarded-proto': 'https' },
      });
      // TRUST_PROXY is off on this server: the header is not believed.
      expect(answer.headers.getSetCookie()[0]).not.toContain('Secure');
    });

    it('signs in with the password, in any case of the username, and answers me with bearer or cookie', async () => {
      const name = username('Login');
      const made = await server.register(name);
      const signedIn = await server.login(name.toUpperCase());
      expect(signedIn.user).toEqual(made.user);
      expect(signedIn.token).not.toBe(made.token);
      for (const credentials of [{ bearer: signedIn.token }, { cookie: signedIn.cookie }]) {
        expect(await server.request('GET', '/api/auth/me', credentials)).toMatchObject({ status: 200, body: { user: made.user } });
      }
    });

    it('answers a wrong password, an unknown user and an empty password the same 401', async () => {
      const name = username('wrong');
      await server.register(name);
      const wrong = await server.request('POST', '/api/auth/login', { body: { username: name, password: 'not the password' } });
      const unknown = await server.request('POST', '/api/auth/login', { body: { username: username('ghost'), password: 'not the password' } });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ statusCode: 401, message: 'invalid username or password', error: 'Unauthorized' });
      expect(unknown.body).toEqual(wrong.body);
    });

    it.each([
      ['too short', 'ab'],
      ['too long', 'a'.repeat(33)],
      ['a space', 'ann smith'],
      ['a slash', 'ann/smith'],
      ['a non-ASCII letter', 'zoë'],
      ['a control character', 'ann\u0000'],
      ['not a string', 42],
    ])('refuses a username with %s (400)', async (_, name) => {
      const answer = await server.request('POST', '/api/auth/register', { body: { username: name, password: PASSWORD } });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });

    it.each([
      ['shorter than 8', 'short'],
      ['longer than 1024', 'p'.repeat(1025)],
    ])('refuses a password %s (400)', async (_, password) => {
      const answer = await server.request('POST', '/api/auth/register', { body: { username: username('pw'), password } });
      expect(answer.status).toBe(400);
    });

    it('refuses a password equal to the username, and unknown fields (400)', async () => {
      const name = username('same');
      expect((await server.request('POST', '/api/auth/register', { body: { username: name, password: name.toUpperCase() } })).status).toBe(400);
      expect((await server.request('POST', '/api/auth/register', { body: { username: name, password: PASSWORD, admin: true } })).status).toBe(400);
    });

    it('refuses a 1 MiB password before any hashing (413 for the body, 400 for a long password)', async () => {
      const huge = 'x'.repeat(1024 * 1024);
      for (const path of ['/api/auth/register', '/api/auth/login']) {
        const answer = await server.request('POST', path, { body: { username: username('big'), password: huge } });
        expect([400, 413]).toContain(answer.status);
        expect(answer.body).toMatchObject({ statusCode: answer.status });
      }
      const long = await server.request('POST', '/api/auth/login', { body: { username: 'anyone', password: 'x'.repeat(2000) } });
      expect(long.status).toBe(400);
    });

    it('keeps usernames unique regardless of case (409)', async () => {
      const name = username('Case');
      await server.register(name);
      for (const other of [name, name.toLowerCase(), name.toUpperCase()]) {
        const answer = await server.request('POST', '/api/auth/register', { body: { username: other, password: PASSWORD } });
        expect(answer.status).toBe(409);
      }
    });

    it('lists the user\'s sessions without their tokens, marking the current one', async () => {
      const name = username('list');
      const first = await server.register(name);
      const second = await server.login(name);
      const answer = await server.request('GET', '/api/auth/sessions', { bearer: second.token, headers: { 'user-agent': 'spec-agent/1' } });
      expect(answer.status).toBe(200);
      expect(answer.body.sessions).toHaveLength(2);
      for (const session of answer.body.sessions) {
        expect(session).toEqual({ id: expect.any(String), created_at: expect.any(String), last_used_at: expect.any(String), user_agent: expect.anything(), current: expect.any(Boolean) });
      }
      expect(answer.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
      expect(JSON.stringify(answer.body)).not.toContain(first.token);
      expect(JSON.stringify(answer.body)).not.toContain(second.token);
    });
  });

  describe('ending sessions', () => {
    it('logout: 204, the cookie cleared, the token refused everywhere, its socket closed with 4001', async () => {
      const me = await server.register(username('out'));
      const socket = track(await server.connectWith(me));
      const answer = await server.request('POST', '/api/auth/logout', { bearer: me.token });
      expect(answer.status).toBe(204);
      expect(answer.headers.getSetCookie()[0]).toMatch(/^chatstream_session=;.*Max-Age=0/);
      expect(await closeCode(socket)).toBe(4001);
      expectUnauthorized(await server.request('GET', '/api/auth/me', { bearer: me.token }));
      expectUnauthorized(await server.request('GET', '/api/rooms', { cookie: me.cookie }));
      expect(await tryUpgrade(server.port, { authorization: `Bearer ${me.token}` })).toBe('http 401');
    });

    it('ends another session of the same user, closing its socket; the current one lives on', async () => {
      const name = username('end');
      const laptop = await server.register(name);
      const phone = await server.login(name);
      const phoneSocket = track(await server.connectWith(phone));
      const laptopSocket = track(await server.connectWith(laptop));
      const { body } = await server.request('GET', '/api/auth/sessions', { bearer: laptop.token });
      const other = body.sessions.find((s: { current: boolean }) => !s.current);
      expect((await server.request('DELETE', `/api/auth/sessions/${other.id}`, { bearer: laptop.token })).status).toBe(204);
      expect(await closeCode(phoneSocket)).toBe(4001);
      expectUnauthorized(await server.request('GET', '/api/auth/me', { bearer: phone.token }));
      expect((await server.request('GET', '/api/auth/me', { bearer: laptop.token })).status).toBe(200);
      expect(laptopSocket.closed).toBeUndefined();
    });

    it('answers 404 for a session of another user, and leaves it alone', async () => {
      const ann = await server.register(username('ann'));
      const eve = await server.register(username('eve'));
      const { body } = await server.request('GET', '/api/auth/sessions', { bearer: ann.token });
      const answer = await server.request('DELETE', `/api/auth/sessions/${body.sessions[0].id}`, { bearer: eve.token });
      expect(answer.status).toBe(404);
      expect((await server.request('DELETE', '/api/auth/sessions/no-such-session', { bearer: eve.token })).status).toBe(404);
      expect((await server.request('GET', '/api/auth/me', { bearer: ann.token })).status).toBe(200);
    });

    it('refuses a session unused for longer than SESSION_TTL_DAYS (401, also on the upgrade)', async () => {
      const me = await server.register(username('old'));
      const db = server.app.get(KyselyStorage).db;
      await db.updateTable('sessions').set({ last_used_at: '2000-01-01T00:00:00.000Z' }).where('user_id', '=', me.user.id).execute();
      expect(await tryUpgrade(server.port, { authorization: `Bearer ${me.token}` })).toBe('http 401');
      expectUnauthorized(await server.request('GET', '/api/auth/me', { bearer: me.token }));
    });
  });

  describe('without valid credentials', () => {
    // Three entries each: jest would take a third parameter missing from the row for a done callback.
    const routes: Array<[string, string, unknown]> = [
      ['GET', '/api/rooms', undefined],
      ['POST', '/api/rooms', { name: 'Nope' }],
      ['GET', '/api/rooms/general/messages', undefined],
      ['GET', '/api/users', undefined],
      ['POST', '/api/messages', { content: 'x', room: 'general' }],
      ['GET', '/api/auth/me', undefined],
      ['GET', '/api/auth/sessions', undefined],
      ['DELETE', '/api/auth/sessions/anything', undefined],
      ['POST', '/api/auth/logout', undefined],
      ['GET', '/api/conversations', undefined],
      ['GET', '/api/conversations/anyone/messages', undefined],
    ];

    it.each(routes)('%s %s answers 401 with no, a garbage and a made-up token', async (method, path, body) => {
      expectUnauthorized(await server.request(method, path, { body }));
      expectUnauthorized(await server.request(method, path, { body, bearer: 'garbage' }));
      expectUnauthorized(await server.request(method, path, { body, cookie: `chatstream_session=${'A'.repeat(43)}`, origin: origin() }));
    });

    it('serves the public routes: health, docs, the OpenAPI document, the mode', async () => {
      for (const path of ['/api/health', '/api/docs', '/api/docs-json', '/api/auth/config']) {
        expect((await server.request('GET', path)).status).toBe(200);
      }
    });

    it('refuses the upgrade with 401 without a session, with garbage, and with spoofed user_id/username alone', async () => {
      expect(await tryUpgrade(server.port, {})).toBe('http 401');
      expect(await tryUpgrade(server.port, { authorization: 'Bearer garbage' })).toBe('http 401');
      expect(await tryUpgrade(server.port, { cookie: 'chatstream_session=garbage', origin: origin() })).toBe('http 401');
      expect(await tryUpgrade(server.port, {}, 'user_id=someone&username=Someone')).toBe('http 401');
    });
  });

  describe('the WebSocket', () => {
    it('is the session\'s user: a spoofed user_id and username on the upgrade are ignored', async () => {
      const ann = await server.register(username('ws-ann'));
      const eve = await server.register(username('ws-eve'));
      const spoof = track(await server.connectWith(eve, { query: { user_id: ann.user.id, username: ann.user.username } }));
      const annSocket = track(await server.connectWith(ann));
      spoof.send({ type: 'text', content: 'who am i', recipient: ann.user.id });
      const frame = await annSocket.next(isPrivate('who am i'));
      expect(frame).toMatchObject({ sender_id: eve.user.id, sender: eve.user.username, recipient: ann.user.id });
      const users = await server.request('GET', '/api/users', { bearer: ann.token });
      expect(users.body.users).toContainEqual({ id: eve.user.id, username: eve.user.username });
    });

    it('a private message reaches a registered user who never connected; they read it later', async () => {
      const ann = await server.register(username('dm-from'));
      const bob = await server.register(username('dm-to'));
      const socket = track(await server.connectWith(ann));
      socket.send({ type: 'text', content: 'for later', recipient: bob.user.id });
      const copy = await socket.next(isPrivate('for later'));
      const { body } = await server.request('GET', `/api/conversations/${ann.user.id}/messages`, { bearer: bob.token });
      expect(body.messages).toEqual([copy]);
    });

    it('takes the session from the cookie when the Origin is this server or listed in ALLOWED_ORIGINS', async () => {
      const me = await server.register(username('cookie-ws'));
      const own = track(await server.connectWith(me, { via: 'cookie', origin: origin() }));
      const listed = track(await server.connectWith(me, { via: 'cookie', origin: 'https://allowed.example' }));
      expect(own.frames[0]).toMatchObject({ type: 'system' });
      expect(listed.frames[0]).toMatchObject({ type: 'system' });
    });

    it('refuses a cookie upgrade from another origin, or without one, with 403 (cross-site WebSocket hijacking)', async () => {
      const me = await server.register(username('cswsh'));
      expect(await tryUpgrade(server.port, { cookie: me.cookie, origin: 'https://evil.example' })).toBe('http 403');
      expect(await tryUpgrade(server.port, { cookie: me.cookie })).toBe('http 403');
      // A bearer token is not sent by browsers on their own: not checked.
      expect(await tryUpgrade(server.port, { authorization: `Bearer ${me.token}`, origin: 'https://evil.example' })).toBe('open');
    });
  });

  describe('cookie-authenticated writes', () => {
    it('refuses a POST from another origin or without Origin (403), accepts this origin, ALLOWED_ORIGINS and any bearer', async () => {
      const me = await server.register(username('csrf'));
      const room = { name: `Room ${username('r')}` };
      expect((await server.request('POST', '/api/rooms', { cookie: me.cookie, body: room, origin: 'https://evil.example' })).status).toBe(403);
      expect((await server.request('POST', '/api/rooms', { cookie: me.cookie, body: room })).status).toBe(403);
      expect((await server.request('POST', '/api/rooms', { cookie: me.cookie, body: room, origin: origin() })).status).toBe(201);
      expect((await server.request('POST', '/api/rooms', { cookie: me.cookie, body: { name: `${room.name}-2` }, origin: 'https://allowed.example' })).status).toBe(201);
      expect((await server.request('POST', '/api/rooms', { bearer: me.token, body: { name: `${room.name}-3` }, origin: 'https://evil.example' })).status).toBe(201);
      // Reads are not writes.
      expect((await server.request('GET', '/api/rooms', { cookie: me.cookie, origin: 'https://evil.example' })).status).toBe(200);
    });
  });

  describe('POST /api/messages', () => {
    it('sends as the signed-in user when sender and sender_id are left out', async () => {
      const me = await server.register(username('poster'));
      const socket = track(await server.connectWith(me));
      await socket.join('general');
      const answer = await server.request('POST', '/api/messages', { bearer: me.token, body: { content: 'by rest', room: 'general' } });
      expect(answer.status).toBe(201);
      expect(await socket.next(isText('by rest'))).toMatchObject({ id: answer.body.id, sender_id: me.user.id, sender: me.user.username });
    });

    it('refuses a spoofed sender_id with 403: nothing stored, nothing sent', async () => {
      const victim = await server.register(username('victim'));
      const eve = await server.register(username('spoofer'));
      const watcher = track(await server.connectWith(victim));
      await watcher.join('general');
      const before = await server.request('GET', '/api/rooms/general/messages?limit=200', { bearer: eve.token });
      for (const body of [
        { content: 'as you', room: 'general', sender_id: victim.user.id, sender: victim.user.username },
        { content: 'as you', recipient: victim.user.id, sender_id: victim.user.id },
      ]) {
        expect((await server.request('POST', '/api/messages', { bearer: eve.token, body })).status).toBe(403);
      }
      const after = await server.request('GET', '/api/rooms/general/messages?limit=200', { bearer: eve.token });
      expect(after.body.messages).toEqual(before.body.messages);
      expect(await watcher.quietFor(200, (f) => f.type === 'text' || f.type === 'private')).toEqual([]);
    });

    it('accepts sender_id when it is the signed-in user; a different sender name is not believed', async () => {
      const me = await server.register(username('honest'));
      const other = await server.register(username('other'));
      const socket = track(await server.connectWith(other));
      const answer = await server.request('POST', '/api/messages', {
        bearer: me.token,
        body: { content: 'named', recipient: other.user.id, sender_id: me.user.id, sender: 'The Boss' },
      });
      expect(answer.status).toBe(201);
      expect(await socket.next(isPrivate('named'))).toMatchObject({ sender: me.user.username, sender_id: me.user.id });
    });
  });

  describe('private history', () => {
    async function talk(from: Credentials, to: Credentials, content: string): Promise<void> {
      const answer = await server.request('POST', '/api/messages', { bearer: from.token, body: { content, recipient: to.user.id } });
      expect(answer.status).toBe(201);
    }

    it('lists conversations most recent first, each with its last message; only the user\'s own', async () => {
      const ann = await server.register(username('c-ann'));
      const bob = await server.register(username('c-bob'));
      const cat = await server.register(username('c-cat'));
      const eve = await server.register(username('c-eve'));
      await talk(ann, bob, 'ann to bob');
      await talk(cat, ann, 'cat to ann');
      await talk(bob, ann, 'bob to ann');
      await talk(bob, eve, 'bob to eve');
      const { status, body } = await server.request('GET', '/api/conversations', { bearer: ann.token });
      expect(status).toBe(200);
      expect(body.conversations.map((c: any) => [c.user, c.last_message.content])).toEqual([
        [bob.user, 'bob to ann'],
        [cat.user, 'cat to ann'],
      ]);
      expect(body.conversations[0].last_message).toMatchObject({ type: 'private', sender_id: bob.user.id, recipient: ann.user.id, id: expect.any(String), timestamp: expect.any(String) });
      expect((await server.request('GET', '/api/conversations', { bearer: eve.token })).body.conversations.map((c: any) => c.user.id)).toEqual([bob.user.id]);
    });

    it('pages a conversation oldest first with limit and before; both directions; nothing of another pair', async () => {
      const ann = await server.register(username('p-ann'));
      const bob = await server.register(username('p-bob'));
      const eve = await server.register(username('p-eve'));
      for (let i = 0; i < 6; i++) await talk(i % 2 === 0 ? ann : bob, i % 2 === 0 ? bob : ann, `m${i}`);
      await talk(eve, bob, 'not yours');
      const newest = await server.request('GET', `/api/conversations/${bob.user.id}/messages?limit=4`, { bearer: ann.token });
      expect(newest.body.messages.map((m: any) => m.content)).toEqual(['m2', 'm3', 'm4', 'm5']);
      const older = await server.request('GET', `/api/conversations/${bob.user.id}/messages?limit=4&before=${newest.body.messages[0].id}`, { bearer: ann.token });
      expect(older.body.messages.map((m: any) => m.content)).toEqual(['m0', 'm1']);
      const fromBob = await server.request('GET', `/api/conversations/${ann.user.id}/messages`, { bearer: bob.token });
      expect(fromBob.body.messages.map((m: any) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
      // Eve asking about ann and bob sees only her own conversation with each of them.
      expect((await server.request('GET', `/api/conversations/${ann.user.id}/messages`, { bearer: eve.token })).body.messages).toEqual([]);
      expect((await server.request('GET', `/api/conversations/${bob.user.id}/messages`, { bearer: eve.token })).body.messages.map((m: any) => m.content)).toEqual(['not yours']);
    });

    it('refuses a before of another conversation and a bad limit (400), an unknown user (404)', async () => {
      const ann = await server.register(username('e-ann'));
      const bob = await server.register(username('e-bob'));
      const eve = await server.register(username('e-eve'));
      await talk(eve, bob, 'theirs');
      const theirs = (await server.request('GET', `/api/conversations/${eve.user.id}/messages`, { bearer: bob.token })).body.messages[0].id;
      expect((await server.request('GET', `/api/conversations/${bob.user.id}/messages?before=${theirs}`, { bearer: ann.token })).status).toBe(400);
      for (const limit of ['0', '201', 'x']) {
        expect((await server.request('GET', `/api/conversations/${bob.user.id}/messages?limit=${limit}`, { bearer: ann.token })).status).toBe(400);
      }
      expect((await server.request('GET', '/api/conversations/no-such-user/messages', { bearer: ann.token })).status).toBe(404);
    });
  });

  if (dialect === 'sqlite') {
    it('keeps no password and no token in clear in the database files', async () => {
      const secret = `clear-text-${Date.now()}`;
      const me = await server.register(username('clear'), secret);
      await server.login(me.user.username, secret);
      await sleep(50);
      const files = readdirSync(database.dataDir as string).map((file) => readFileSync(join(database.dataDir as string, file)));
      expect(files.length).toBeGreaterThan(0);
      for (const bytes of files) {
        expect(bytes.includes(secret)).toBe(false);
        expect(bytes.includes(me.token)).toBe(false);
      }
      expect(files.some((bytes) => bytes.includes('$argon2id$v=19$m=19456,t=2,p=1$'))).toBe(true);
    });
  }
});

describe('throttles (TRUST_PROXY: the address is the last X-Forwarded-For entry)', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start({ auth: 'accounts', trustProxy: true, rateRegistrationsPerHour: 3 })));
  afterAll(() => server.close());
  const from = (address: string) => ({ 'x-forwarded-for': `10.9.9.9, ${address}` });

  it('after 5 failed sign-ins for one name from one address: 429 with Retry-After, the right password too; others unaffected', async () => {
    const name = username('brute');
    await server.request('POST', '/api/auth/register', { body: { username: name, password: PASSWORD }, headers: from('10.0.0.1') });
    for (let i = 0; i < 5; i++) {
      const answer = await server.request('POST', '/api/auth/login', { body: { username: name, password: `guess-${i}-guess` }, headers: from('10.0.0.2') });
      expect(answer.status).toBe(401);
    }
    const blocked = await server.request('POST', '/api/auth/login', { body: { username: name.toUpperCase(), password: PASSWORD }, headers: from('10.0.0.2') });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // Another address is not blocked for that name.
    expect((await server.request('POST', '/api/auth/login', { body: { username: name, password: PASSWORD }, headers: from('10.0.0.3') })).status).toBe(200);
  });

  it('after RATE_REGISTRATIONS_PER_HOUR accounts from one address: 429 with Retry-After; another address may register', async () => {
    for (let i = 0; i < 3; i++) {
      const answer = await server.request('POST', '/api/auth/register', { body: { username: username('flood'), password: PASSWORD }, headers: from('10.1.0.1') });
      expect(answer.status).toBe(201);
    }
    const refused = await server.request('POST', '/api/auth/register', { body: { username: username('flood'), password: PASSWORD }, headers: from('10.1.0.1') });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await server.request('POST', '/api/auth/register', { body: { username: username('flood'), password: PASSWORD }, headers: from('10.1.0.2') })).status).toBe(201);
  });

  it('believes X-Forwarded-Proto for the cookie\'s Secure flag and for the origin check', async () => {
    const answer = await server.request('POST', '/api/auth/register', {
      body: { username: username('https'), password: PASSWORD },
      headers: { ...from('10.2.0.1'), 'x-forwarded-proto': 'https' },
    });
    expect(answer.headers.getSetCookie()[0]).toContain('Secure');
    const cookie = answer.headers.getSetCookie()[0].split(';')[0];
    const host = new URL(server.url).host;
    const https = { 'x-forwarded-proto': 'https' };
    expect((await server.request('POST', '/api/rooms', { cookie, body: { name: username('tls') }, origin: `https://${host}`, headers: https })).status).toBe(201);
    expect((await server.request('POST', '/api/rooms', { cookie, body: { name: username('tls') }, origin: `http://${host}`, headers: https })).status).toBe(403);
  });
});

describe('REGISTRATION=closed', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start({ auth: 'accounts', registration: 'closed' })));
  afterAll(() => server.close());

  it('refuses registration with 403 and says so in the config', async () => {
    expect((await server.request('GET', '/api/auth/config')).body).toEqual({ auth: 'accounts', registration: 'closed' });
    const answer = await server.request('POST', '/api/auth/register', { body: { username: username('closed'), password: PASSWORD } });
    expect(answer.status).toBe(403);
  });
});

describe('AUTH=open', () => {
  let server: TestServer;
  beforeAll(async () => (server = await TestServer.start({ auth: 'open' })));
  afterAll(() => server.close());

  it('answers the account routes and private history with 404, the mode with 200', async () => {
    expect((await server.request('GET', '/api/auth/config')).body).toEqual({ auth: 'open', registration: 'open' });
    for (const [method, path] of [
      ['POST', '/api/auth/register'],
      ['POST', '/api/auth/login'],
      ['POST', '/api/auth/logout'],
      ['GET', '/api/auth/me'],
      ['GET', '/api/auth/sessions'],
      ['DELETE', '/api/auth/sessions/x'],
      ['GET', '/api/conversations'],
      ['GET', '/api/conversations/x/messages'],
    ]) {
      const answer = await server.request(method, path, { body: method === 'POST' ? { username: 'ann', password: PASSWORD } : undefined });
      expect([method, path, answer.status]).toEqual([method, path, 404]);
    }
  });

  it('believes the client, as the original server does: no credentials needed', async () => {
    expect((await server.request('GET', '/api/rooms')).status).toBe(200);
    const client = await server.connect('open-user', 'Open User');
    await client.close();
  });
});
