import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageFrame, RoomMessageFrame, ServerFrame } from '@chatstream/protocol';
import { DIALECTS, postgresDatabase, postgresSkipReason, withClient, type TestDatabase } from './databases';
import { Client, sleep, TestServer } from './harness';
import { startProcess, type ServerProcess } from './processes';

const storageEnv = (database: TestDatabase) =>
  database.dialect === 'sqlite' ? { DATA_DIR: database.dataDir } : { DATABASE_URL: database.databaseUrl };

/** Every message of a room, oldest first, paging with before=. */
async function fullHistory(server: Pick<ServerProcess, 'http'>, room: string): Promise<RoomMessageFrame[]> {
  const all: RoomMessageFrame[] = [];
  let before: string | undefined;
  for (;;) {
    const query = before ? `?limit=200&before=${before}` : '?limit=200';
    const { status, body } = await server.http(`GET`, `/api/rooms/${room}/messages${query}`);
    expect(status).toBe(200);
    if (body.messages.length === 0) return all;
    all.unshift(...body.messages);
    before = body.messages[0].id;
  }
}

/** Private messages as stored, read from the database itself (there is no REST read of private messages). */
async function storedPrivateIds(database: TestDatabase): Promise<string[]> {
  if (database.dialect === 'sqlite') {
    const db = new BetterSqlite3(join(database.dataDir as string, 'chatstream.sqlite'), { readonly: true });
    try {
      return (db.prepare('select id from messages where recipient_id is not null').all() as Array<{ id: string }>).map((r) => r.id);
    } finally {
      db.close();
    }
  }
  return withClient(database.databaseUrl as string, async (client) =>
    (await client.query('select id from messages where recipient_id is not null')).rows.map((r: { id: string }) => r.id),
  );
}

const isText = (frame: ServerFrame): frame is MessageFrame => frame.type === 'text' || frame.type === 'private';

describe.each(DIALECTS)('a crash (SIGKILL) on %s', (_dialect, create) => {
  let database: TestDatabase;
  beforeAll(async () => (database = await create()));
  afterAll(() => database.drop());

  it('loses no acknowledged message: each is in history once, in acknowledgement order, with its id', async () => {
    const first = await startProcess({ ...storageEnv(database), LOG_LEVEL: 'warn' });
    const { body } = await first.http('POST', '/api/rooms', { name: 'Crash Room' });
    const room = body.room.id as string;
    const [ann, bob, cat] = await Promise.all([first.connect('ann'), first.connect('bob'), first.connect('cat')]);
    for (const client of [ann, bob, cat]) await client.join(room);

    const restAcks: string[] = [];
    let sending = true;
    const sender = async (client: Client, who: string) => {
      for (let i = 0; sending && i < 2000; i++) {
        client.send({ type: 'text', content: `${who}-${i}`, room });
        if (i % 5 === 0) client.send({ type: 'text', content: `${who}-dm-${i}`, recipient: 'cat' });
        if (i % 20 === 0) await sleep(1);
      }
    };
    const poster = async () => {
      for (let i = 0; sending && i < 500; i++) {
        const result = await first
          .http('POST', '/api/messages', { content: `rest-${i}`, sender: 'Cat', sender_id: 'cat', room })
          .catch(() => undefined);
        if (result?.status === 201) restAcks.push(result.body.id);
      }
    };
    const work = Promise.all([sender(ann, 'ann'), sender(bob, 'bob'), poster()]);
    // Kill while sends are still in flight.
    await ann.collect(300, (f) => f.type === 'text', 20000);
    first.child.kill('SIGKILL');
    sending = false;
    await once(first.child, 'exit');
    await work;
    await sleep(100);

    // What the clients saw acknowledged before the crash.
    const annSaw = ann.frames.filter(isText);
    const own = [...annSaw.filter((f) => f.sender_id === 'ann'), ...bob.frames.filter(isText).filter((f) => f.sender_id === 'bob')];
    const roomAcks = [...own.filter((f) => f.type === 'text').map((f) => f.id), ...restAcks];
    const privateAcks = own.filter((f) => f.type === 'private').map((f) => f.id);
    const roomOrder = annSaw.filter((f) => f.type === 'text').map((f) => f.id);
    expect(roomOrder.length).toBeGreaterThanOrEqual(300);
    expect(privateAcks.length).toBeGreaterThan(0);

    const second = await startProcess({ ...storageEnv(database), LOG_LEVEL: 'warn' });
    try {
      const history = await fullHistory(second, room);
      const ids = history.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expect.arrayContaining(roomAcks));
      // The order a member saw is the history order.
      const seen = new Set(roomOrder);
      expect(ids.filter((id) => seen.has(id))).toEqual(roomOrder);
      const byId = new Map(history.map((m) => [m.id, m]));
      for (const frame of annSaw.filter((f) => f.type === 'text')) expect(byId.get(frame.id)?.content).toBe(frame.content);

      const privates = await storedPrivateIds(database);
      expect(new Set(privates).size).toBe(privates.length);
      expect(privates).toEqual(expect.arrayContaining(privateAcks));

      // Rooms and memberships are back: a member posts without joining again.
      const rooms = await second.http('GET', '/api/rooms');
      expect(rooms.body.rooms).toContainEqual(expect.objectContaining({ id: room, name: 'Crash Room', user_count: 3 }));
      const again = await second.connect('ann');
      again.send({ type: 'text', content: 'after the crash', room });
      expect(await again.next((f) => isText(f) || f.type === 'error')).toMatchObject({ type: 'text', content: 'after the crash' });
      await again.close();
    } finally {
      second.child.kill('SIGKILL');
      await once(second.child, 'exit');
    }
  }, 90000);
});

describe('starting on bad storage', () => {
  it('exits with one line naming DATA_DIR when it cannot be used', async () => {
    const server = startProcess({ DATA_DIR: '/dev/null/chatstream' });
    await expect(server).rejects.toThrow(/server exited: chatstream: DATA_DIR \/dev\/null\/chatstream is not usable: .*ENOTDIR.*\n$/);
  });

  it('exits with one line naming DATABASE_URL when PostgreSQL cannot be reached', async () => {
    const server = startProcess({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing' });
    await expect(server).rejects.toThrow(/server exited: chatstream: DATABASE_URL .* cannot be reached: .*ECONNREFUSED.*\n$/);
  });
});

/** A small filesystem of our own to fill up, or the reason there can be none here. */
function smallFilesystem(): { path: string; unmount(): void } | string {
  const path = mkdtempSync(join(tmpdir(), 'chatstream-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    return `cannot mount a small tmpfs here (${String(error).split('\n')[0]}): the SQLite disk-full test is skipped`;
  }
  return {
    path,
    unmount: () => {
      execFileSync('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Sends tagged messages until one is refused; returns which were acknowledged and which got errors. */
async function sendUntilRefused(client: Client, room: string, tag: string, max = 400) {
  const acked: string[] = [];
  let errors = 0;
  for (let i = 0; i < max && errors === 0; i++) {
    const content = `${tag}-${i}-${'y'.repeat(2000)}`;
    client.send({ type: 'text', content, room });
    const reply = await client.next((f) => (f.type === 'text' && f.content === content) || f.type === 'error', 10000);
    if (reply.type === 'error') errors++;
    else acked.push(content);
  }
  return { acked, errors };
}

describe('the database failing while running', () => {
  const fs = process.platform === 'linux' ? smallFilesystem() : 'not Linux: the SQLite disk-full test is skipped';
  if (typeof fs === 'string') console.warn(fs);
  const sqliteIt = typeof fs === 'string' ? it.skip : it;

  afterAll(() => {
    if (typeof fs !== 'string') fs.unmount();
  });

  sqliteIt('SQLite on a full disk: errors, not acknowledgements, then service resumes by itself', async () => {
    if (typeof fs === 'string') return;
    const dataDir = join(fs.path, 'data');
    mkdirSync(dataDir);
    const server = await TestServer.start({ dataDir, logLevel: 'error' });
    const filler = join(fs.path, 'filler');
    try {
      const ann = await server.connect('full-ann', 'Ann', 2);
      await ann.join('general');
      // Fill the disk.
      const fd = openSync(filler, 'w');
      try {
        for (;;) writeSync(fd, Buffer.alloc(64 * 1024));
      } catch {
        // ENOSPC: full
      } finally {
        closeSync(fd);
      }
      const { acked, errors } = await sendUntilRefused(ann, 'general', 'full');
      expect(errors).toBe(1);
      const rest = await server.http('POST', '/api/messages', { content: 'rest while full', sender: 'Ann', sender_id: 'full-ann', room: 'general' });
      expect(rest.status).toBe(503);
      expect(rest.body).toMatchObject({ statusCode: 503, message: expect.stringContaining('storage unavailable') });
      const health = await server.http('GET', '/api/health');
      expect(health).toMatchObject({ status: 503, body: { status: 'error', reason: expect.any(String) } });

      unlinkSync(filler);
      expect((await server.http('GET', '/api/health')).status).toBe(200);
      ann.send({ type: 'text', content: 'disk has room again', room: 'general' });
      expect(await ann.next((f) => isText(f) || f.type === 'error')).toMatchObject({ type: 'text', content: 'disk has room again' });
      const history = (await server.http('GET', '/api/rooms/general/messages?limit=200')).body.messages.map((m: { content: string }) => m.content);
      expect(history.filter((c: string) => c.startsWith('full-'))).toEqual(acked);
      expect(history).not.toContain('rest while full');
    } finally {
      rmSync(filler, { force: true });
      await server.close();
    }
  }, 60000);

  const pgIt = postgresSkipReason ? it.skip : it;
  pgIt('PostgreSQL with its connections terminated and refused: errors, not acknowledgements, then service resumes', async () => {
    const database = await postgresDatabase();
    const name = new URL(database.databaseUrl as string).pathname.slice(1);
    const admin = process.env.DATABASE_URL as string;
    const server = await TestServer.start({ storage: 'postgres', databaseUrl: database.databaseUrl, logLevel: 'error' });
    try {
      const ann = await server.connect('pg-ann', 'Ann', 2);
      await ann.join('general');
      ann.send({ type: 'text', content: 'before the outage', room: 'general' });
      await ann.next((f) => isText(f));

      await withClient(admin, async (client) => {
        await client.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      });
      ann.send({ type: 'text', content: 'during the outage', room: 'general' });
      expect(await ann.next((f) => isText(f) || f.type === 'error', 10000)).toMatchObject({ type: 'error' });
      expect((await server.http('POST', '/api/messages', { content: 'rest outage', sender: 'Ann', sender_id: 'pg-ann', room: 'general' })).status).toBe(503);
      expect(await server.http('GET', '/api/health')).toMatchObject({ status: 503, body: { status: 'error' } });

      await withClient(admin, (client) => client.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`));
      expect((await server.http('GET', '/api/health')).status).toBe(200);
      ann.send({ type: 'text', content: 'after the outage', room: 'general' });
      expect(await ann.next((f) => isText(f) || f.type === 'error')).toMatchObject({ type: 'text', content: 'after the outage' });
      const history = (await server.http('GET', '/api/rooms/general/messages')).body.messages.map((m: { content: string }) => m.content);
      expect(history).toEqual(['before the outage', 'after the outage']);
    } finally {
      await server.close();
      await withClient(admin, (client) => client.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`)).catch(() => undefined);
      await database.drop();
    }
  }, 60000);

  pgIt('a PostgreSQL connection killed while checked out between two queries is reported, not thrown', async () => {
    const database = await postgresDatabase();
    const { openPostgres } = await import('../src/storage/database');
    const lost: Error[] = [];
    const opened = await openPostgres(database.databaseUrl as string, (error) => lost.push(error));
    try {
      // Hold a connection the way a transaction does, and kill its backend while no query is running on it.
      await opened.db.connection().execute(async (conn) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
        await withClient(process.env.DATABASE_URL as string, (admin) => admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]));
        for (let waited = 0; lost.length === 0 && waited < 5000; waited += 20) await sleep(20);
      });
      expect(lost.map((error) => (error as Error & { code?: string }).code)).toContain('57P01');
      // The pool replaces the broken connection.
      expect((await sql<{ one: number }>`select 1 as one`.execute(opened.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await opened.db.destroy();
      await database.drop();
    }
  }, 30000);
});

describe('moving from SQLite to PostgreSQL', () => {
  const pgIt = postgresSkipReason ? it.skip : it;
  pgIt('copy-to-postgres carries rooms, memberships, users and history over; the server goes on from there', async () => {
    const sqlite = await DIALECTS[0][1]();
    const postgres = await postgresDatabase();
    try {
      const before = await TestServer.start({ dataDir: sqlite.dataDir });
      const room = (await before.http('POST', '/api/rooms', { name: 'Moving' })).body.room.id;
      const ann = await before.connect('move-ann', 'Ann', 2);
      await ann.join(room);
      for (let i = 0; i < 5; i++) {
        ann.send({ type: 'text', content: `old-${i}`, room });
        await ann.next((f) => f.type === 'text' && f.content === `old-${i}`);
      }
      await ann.close();
      await before.close();

      const { copyToPostgres } = await import('../src/storage/copy-to-postgres');
      await copyToPostgres(sqlite.dataDir as string, postgres.databaseUrl as string, () => undefined);

      const after = await TestServer.start({ storage: 'postgres', databaseUrl: postgres.databaseUrl });
      try {
        const again = await after.connect('move-ann', 'Ann', 2);
        again.send({ type: 'text', content: 'new', room });
        await again.next((f) => f.type === 'text' && f.content === 'new');
        const history = (await after.http('GET', `/api/rooms/${room}/messages`)).body.messages.map((m: { content: string }) => m.content);
        expect(history).toEqual(['old-0', 'old-1', 'old-2', 'old-3', 'old-4', 'new']);
        await again.close();
      } finally {
        await after.close();
      }
    } finally {
      await sqlite.drop();
      await postgres.drop();
    }
  });
});
