import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Client, sleep } from './harness';

/** The built server (`npm run build` / the Nx test target builds it first). */
export const MAIN = join(__dirname, '..', 'dist', 'main.js');

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  output: () => string;
  connect(userId: string, username?: string, level?: 1 | 2): Promise<Client>;
  http<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs the built server as a real process; resolves once it listens.
 * `AUTH` is `open` unless the spec passes its own (`{ AUTH: 'accounts' }`);
 * registrations are not throttled unless it sets RATE_REGISTRATIONS_PER_HOUR.
 */
export async function startProcess(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const port = await freePort();
  const fullEnv: Record<string, string | undefined> = {
    ...process.env,
    LOG_LEVEL: 'log',
    HOST: '127.0.0.1',
    PORT: String(port),
    AUTH: 'open',
    RATE_REGISTRATIONS_PER_HOUR: '0',
    RATE_MESSAGES_PER_S: '0',
    ...env,
  };
  // The test run's own settings are not the server's unless a spec passes them.
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'DATA_DIR', 'STORAGE']) if (!(name in env)) delete fullEnv[name];
  const child = spawn(process.execPath, [MAIN], { env: fullEnv as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  while (!(await fetch(`${url}/api/health`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${output}`);
    }
    await sleep(25);
  }
  return {
    child,
    port,
    url,
    output: () => output,
    async connect(userId, username = userId, level = 2) {
      const query = new URLSearchParams({ user_id: userId, username });
      if (level === 2) query.set('protocol', '2');
      const client = new Client(new WebSocket(`ws://127.0.0.1:${port}/api/ws?${query}`));
      await client.next((frame) => frame.type === 'system');
      return client;
    },
    async http(method, path, body) {
      const response = await fetch(url + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}
