import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { DIALECTS, type TestDatabase } from './databases';
import { TestServer } from './harness';

/* `npm run search -- …`, run as the operator runs it: a child process on the server's storage. */

const CLI = join(__dirname, '..', 'dist', 'search', 'search-cli.js');

async function searchCommand(database: TestDatabase, args: string[]) {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, ...(database.dialect === 'sqlite' ? { DATA_DIR: database.dataDir } : { DATABASE_URL: database.databaseUrl }) };
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(child, 'exit');
  return { code: code as number, stdout, stderr };
}

describe.each(DIALECTS)('the search command line on %s', (_dialect, create) => {
  let database: TestDatabase;
  beforeAll(async () => (database = await create()));
  afterAll(() => database.drop());

  it('reports the index size, checks it and rebuilds it; the server finds messages after the rebuild', async () => {
    const storage = database.dialect === 'sqlite' ? { dataDir: database.dataDir } : { databaseUrl: database.databaseUrl };
    const server = await TestServer.start({ ...storage });
    const ann = await server.connect('cli-ann', 'ann', 2);
    await ann.join('general');
    ann.send({ type: 'text', room: 'general', content: 'operators rebuild indexes' });
    await ann.next((f) => f.type === 'text');
    await ann.close();
    await server.close();

    const size = await searchCommand(database, ['size']);
    expect(size).toMatchObject({ code: 0, stdout: expect.stringMatching(/^search index: [1-9]\d* bytes$/m) });
    expect(await searchCommand(database, ['check'])).toMatchObject({ code: 0, stdout: expect.stringContaining('matches the messages') });
    expect(await searchCommand(database, ['rebuild'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/search index rebuilt in \d+ ms/) });

    const again = await TestServer.start({ ...storage });
    const { body } = await again.http('GET', '/api/search?q=rebui');
    expect(body.messages.map((m: { content: string }) => m.content)).toEqual(['operators rebuild indexes']);
    await again.close();
  });

  it('refuses an unknown command with its usage and exit code 2', async () => {
    const answer = await searchCommand(database, ['vacuum']);
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain('usage: npm run search');
  });
});
