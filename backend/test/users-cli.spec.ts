import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { PASSWORD, tryUpgrade } from './accounts';
import { sqliteDatabase, type TestDatabase } from './databases';
import { sleep, TestServer } from './harness';

/* `npm run users -- …`, run as the operator runs it: a child process on the server's storage. */

const CLI = join(__dirname, '..', 'dist', 'auth', 'users-cli.js');

async function users(database: TestDatabase, args: string[], stdin = '', env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, DATA_DIR: database.dataDir, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(stdin);
  const [code] = await once(child, 'exit');
  return { code: code as number, stdout, stderr };
}

describe('the users command line', () => {
  let database: TestDatabase;
  let server: TestServer | undefined;
  beforeEach(() => (database = sqliteDatabase()));
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await database.drop();
  });
  const start = async () => (server = await TestServer.start({ auth: 'accounts', dataDir: database.dataDir, registration: 'closed', sessionRecheckMs: 200 }));

  it('adds an account with the password from standard input, even with REGISTRATION=closed; it can sign in', async () => {
    const added = await users(database, ['add', 'Operator'], `${PASSWORD}\n`, { REGISTRATION: 'closed' });
    expect(added).toMatchObject({ code: 0, stdout: expect.stringContaining('added Operator') });
    await start();
    const signedIn = await server!.login('operator');
    expect(signedIn.user.username).toBe('Operator');
  });

  it('takes no password from the arguments, and refuses bad or taken names and short passwords', async () => {
    expect((await users(database, ['add', 'ann', PASSWORD])).code).toBe(2);
    expect((await users(database, ['add', 'a b'], `${PASSWORD}\n`)).code).toBe(1);
    expect((await users(database, ['add', 'ann'], 'short\n')).code).toBe(1);
    expect((await users(database, ['add', 'ann'], `${PASSWORD}\n`)).code).toBe(0);
    const taken = await users(database, ['add', 'ANN'], `${PASSWORD}\n`);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('username taken');
    const list = await users(database, ['list']);
    expect(list.stdout.trim().split('\n')).toHaveLength(2);
    expect(list.stdout).not.toContain(PASSWORD);
  });

  it('lists users with whether they have a password and how many sessions', async () => {
    await users(database, ['add', 'ann'], `${PASSWORD}\n`);
    await start();
    await server!.login('ann');
    const list = await users(database, ['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/\tann\tyes\t1\t/);
  });

  it('sets a password: the old one stops working, the user\'s sessions end and their sockets close with 4001', async () => {
    await users(database, ['add', 'ann'], `${PASSWORD}\n`);
    await start();
    const before = await server!.login('ann');
    const socket = await server!.connectWith(before);
    const set = await users(database, ['set-password', 'Ann'], 'a whole new password\n');
    expect(set).toMatchObject({ code: 0, stdout: expect.stringContaining('1 session(s) ended') });
    for (let i = 0; i < 100 && !socket.closed; i++) await sleep(20);
    expect(socket.closed?.code).toBe(4001);
    expect((await server!.request('GET', '/api/auth/me', { bearer: before.token })).status).toBe(401);
    expect((await server!.request('POST', '/api/auth/login', { body: { username: 'ann', password: PASSWORD } })).status).toBe(401);
    await server!.login('ann', 'a whole new password');
  });

  it('ends every session of a user', async () => {
    await users(database, ['add', 'ann'], `${PASSWORD}\n`);
    await start();
    const one = await server!.login('ann');
    const two = await server!.login('ann');
    expect((await users(database, ['end-sessions', 'ann'])).stdout).toContain('2 session(s) of ann ended');
    await sleep(400);
    for (const { token } of [one, two]) expect(await tryUpgrade(server!.port, { authorization: `Bearer ${token}` })).toBe('http 401');
  });

  it('says so for a user that does not exist, and for no command', async () => {
    const missing = await users(database, ['set-password', 'nobody'], `${PASSWORD}\n`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no user named nobody');
    expect((await users(database, [])).code).toBe(2);
  });
});
