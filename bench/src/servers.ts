import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sleep } from './clock';
import type { TargetAddress } from './generator/messages';
import { ProcWatch } from './proc';

/** The repository root (this file is bench/src/servers.ts or bench/dist/servers.js). */
export const REPO = resolve(__dirname, '..', '..');
export const CHATSTREAM_MAIN = join(REPO, 'backend', 'dist', 'main.js');

/** Where the server scripts are run from: the builds, or a snapshot of them (see snapshot.ts). */
const scripts = { chatstreamMain: CHATSTREAM_MAIN, baselines: join(REPO, 'bench', 'dist', 'baselines') };
export function useScripts(paths: typeof scripts): void {
  Object.assign(scripts, paths);
}

export type ServerKind = 'chatstream' | 'ws' | 'socketio';

/** One server configuration under test. */
export interface ServerSpec {
  id: string;
  label: string;
  kind: ServerKind;
  /** SQLite in a fresh DATA_DIR (ChatStream; the durable bare ws baseline), or in memory (STORAGE=memory; the other baselines). */
  storage?: 'sqlite' | 'memory';
  env?: Record<string, string>;
  /** ChatStream only: run this build's main.js (another checkout's backend/dist) instead of this repository's. */
  main?: string;
  /** Socket.IO only: the client's transports (undefined: its defaults, polling then upgrade). */
  socketioTransports?: Array<'polling' | 'websocket'>;
}

export const CHATSTREAM: ServerSpec = { id: 'chatstream', label: 'ChatStream (SQLite)', kind: 'chatstream', storage: 'sqlite' };
export const CHATSTREAM_MEMORY: ServerSpec = {
  id: 'chatstream-memory',
  label: 'ChatStream (memory)',
  kind: 'chatstream',
  storage: 'memory',
};
export const WS_BASELINE: ServerSpec = { id: 'ws', label: 'bare ws', kind: 'ws' };
/** The bare ws baseline under the contract's storage rule: each turn's messages committed (WAL, FULL) before delivery. */
export const WS_DURABLE: ServerSpec = { id: 'ws-durable', label: 'bare ws, durable (SQLite)', kind: 'ws', storage: 'sqlite' };
/** The durable baseline batching as ChatStream does by default (a 1 ms commit window, sockets corked per batch). */
export const WS_DURABLE_WINDOW: ServerSpec = { ...WS_DURABLE, id: 'ws-durable-window', label: 'bare ws, durable, 1 ms commit window', env: { COMMIT_WINDOW_MS: '1' } };
export const SOCKETIO_FAST: ServerSpec = {
  id: 'socketio',
  label: 'Socket.IO (websocket only)',
  kind: 'socketio',
  socketioTransports: ['websocket'],
};
export const SOCKETIO_DEFAULT: ServerSpec = { id: 'socketio-default', label: 'Socket.IO (defaults)', kind: 'socketio' };

/** ChatStream as built in another checkout (`--compare=DIR`): the same run measures two versions side by side. */
export const COMPARE_ID = 'chatstream-compare';
export function chatstreamBuiltIn(checkout: string): ServerSpec {
  const main = join(resolve(checkout), 'backend', 'dist', 'main.js');
  let commit = 'unknown commit';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: checkout, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout: the path says which build it is
  }
  return { ...CHATSTREAM, id: COMPARE_ID, label: `ChatStream (SQLite), build of ${commit} in ${checkout}`, main };
}

export function chatstreamWithWindow(ms: number): ServerSpec {
  return { ...CHATSTREAM, id: `chatstream-cw${ms}`, label: `ChatStream (SQLite, COMMIT_WINDOW_MS=${ms})`, env: { COMMIT_WINDOW_MS: String(ms) } };
}

export interface RunningServer {
  spec: ServerSpec;
  pid: number;
  port: number;
  url: string;
  target: TargetAddress;
  dataDir?: string;
  proc: ProcWatch;
  output(): string;
  /** SIGTERM, then SIGKILL if it does not exit in time; removes a DATA_DIR it created. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Use this DATA_DIR (kept afterwards) instead of a fresh temporary one. */
  dataDir?: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  timeoutMs?: number;
  /** ChatStream only: run this main.js (another build, to compare two in one run) instead of the current one. */
  chatstreamMain?: string;
  /** Pin the server to these CPUs (`taskset -c`, e.g. "0"): what it does on fewer cores than the machine has. */
  cpus?: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Server processes started and not yet stopped: killed if the run itself is interrupted. */
const running = new Set<ChildProcess>();

/** Kills every server this process started and has not stopped (Ctrl-C, a crashed run). */
export function killServers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Runs a bench's `main`: an interrupted or failed run leaves no server behind, and a failure exits 1 with its message. */
export function runBench(main: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killServers();
      process.exit(130);
    });
  }
  process.once('exit', killServers);
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

/** Variables of the ChatStream configuration and of the machine's CI that must not leak into a run. */
const SCRUBBED = [
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'STORAGE',
  'DATA_DIR',
  'DATABASE_URL',
  'REDIS_URL',
  'COMMIT_WINDOW_MS',
  'WS_HEARTBEAT_MS',
  'STATIC_DIR',
  'NODE_OPTIONS',
  'AUTH',
  'REGISTRATION',
  'RATE_REGISTRATIONS_PER_HOUR',
  'TRUST_PROXY',
  'ALLOWED_ORIGINS',
];

/**
 * Starts a server as its own process (so /proc measures it alone), on
 * 127.0.0.1 and a free port, with the open-files limit raised as far as the
 * machine allows; resolves once GET /api/health answers.
 */
export async function startServer(spec: ServerSpec, options: StartOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of SCRUBBED) delete env[name];
  // The load generator's clients say who they are (user_id): AUTH=open unless a spec asks for accounts.
  Object.assign(env, { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', AUTH: 'open', RATE_MESSAGES_PER_S: '0' }, spec.env);
  let dataDir: string | undefined;
  let ownDataDir = false;
  let script: string;
  if (spec.kind === 'chatstream') script = options.chatstreamMain ?? spec.main ?? scripts.chatstreamMain;
  else script = join(scripts.baselines, spec.kind === 'ws' ? 'ws-server.js' : 'socketio-server.js');
  if (spec.kind === 'chatstream' && spec.storage === 'memory') env.STORAGE = 'memory';
  if (spec.storage === 'sqlite') {
    dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'chatstream-bench-'));
    ownDataDir = !options.dataDir;
    env.DATA_DIR = dataDir;
  }
  const command = [...(options.cpus === undefined ? [] : ['taskset', '-c', options.cpus]), process.execPath, ...(options.nodeArgs ?? []), script];
  // `ulimit -n` up to the hard limit: 20,000 idle connections need that many descriptors.
  const child: ChildProcess = spawn(
    'bash',
    ['-c', 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"', ...command],
    { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${spec.label} exited at start: ${output}`);
    const ok = await fetch(`${url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${spec.label} did not start in time: ${output}`);
    }
    await sleep(50);
  }
  const pid = child.pid as number;
  return {
    spec,
    pid,
    port,
    url,
    dataDir,
    target: { protocol: spec.kind === 'socketio' ? 'socketio' : 'contract', host: '127.0.0.1', port, socketioTransports: spec.socketioTransports },
    proc: new ProcWatch(pid),
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<boolean>((done) => (timer = setTimeout(() => done(false), 15_000)));
        const killed = await Promise.race([exited.then(() => true), late]);
        clearTimeout(timer);
        if (!killed) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      if (ownDataDir && dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs /api/rooms for each name (with these extra headers: a session in AUTH=accounts); returns the room ids. */
export async function createRooms(url: string, names: string[], headers: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    const response = await fetch(`${url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ name }),
    });
    if (response.status !== 201) throw new Error(`POST /api/rooms ${name}: ${response.status} ${await response.text()}`);
    ids.push(((await response.json()) as { room: { id: string } }).room.id);
  }
  return ids;
}
