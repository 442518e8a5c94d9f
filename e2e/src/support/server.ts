import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const MAIN = join(ROOT, 'backend', 'dist', 'main.js');
const WEB_APP = join(ROOT, 'frontend', 'dist', 'browser', 'index.html');

/** The built server (`npm run build`) as a child process on a free port, with SQLite in a temp folder. */
export class ServerProcess {
  private child?: ChildProcess;
  private output = '';
  readonly dataDir = mkdtempSync(join(tmpdir(), 'chatstream-e2e-'));

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  /**
   * `env`: settings of this server; `AUTH` is `open` (the original client's
   * trust model) unless a spec passes `{ env: { AUTH: 'accounts' } }`.
   */
  static async start(options: { env?: Record<string, string> } = {}): Promise<ServerProcess> {
    for (const file of [MAIN, WEB_APP]) {
      if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
    }
    const server = new ServerProcess(await freePort(), { AUTH: 'open', ...options.env });
    await server.boot();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  log(): string {
    return this.output;
  }

  /** Stops the process: SIGTERM (it closes its sockets with 1001), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the process in its tracks (SIGSTOP): it reads nothing, answers nothing, until killed. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Kills the process with SIGKILL, as a crash or an OOM kill would: no goodbye to its sockets, no drain. */
  async crash(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async http<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** Starts the process (again, after `stop`) on the same port and data; resolves once it is healthy. */
  async boot(): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      DATA_DIR: this.dataDir,
      LOG_LEVEL: 'warn',
      // No message rate limit: specs send bursts.
      RATE_MESSAGES_PER_S: '0',
    };
    // One self-contained server: not the run's PostgreSQL, Redis cluster or memory storage.
    for (const name of ['DATABASE_URL', 'STORAGE', 'REDIS_URL', 'REDIS_PREFIX', 'PRESENCE_LEASE_MS', 'STATIC_DIR']) delete env[name];
    Object.assign(env, this.env);
    const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk) => (this.output += chunk));
    child.stderr?.on('data', (chunk) => (this.output += chunk));
    this.child = child;
    const deadline = Date.now() + 20_000;
    while (!(await fetch(`${this.url}/api/health`).then((r) => r.ok, () => false))) {
      if (child.exitCode !== null) throw new Error(`server exited: ${this.output}`);
      if (Date.now() > deadline) throw new Error(`server did not start: ${this.output}`);
      await sleep(50);
    }
  }
}

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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
