import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { ServerFrame } from '@chatstream/protocol';
import { createApp } from '../src/app.setup';
import { AppConfig } from '../src/config/app-config';
import { connectWith, login, PASSWORD, register, request, type Answer, type ConnectOptions, type Credentials, type RequestOptions } from './accounts';

/** The real application on a random port, for integration specs. */
export class TestServer {
  private constructor(
    readonly app: INestApplication,
    readonly port: number,
    readonly config: AppConfig,
    private readonly ownDataDir?: string,
  ) {}

  /**
   * Default storage: SQLite in a fresh temporary folder, removed on close.
   * `auth` is `open` (clients say who they are) unless a spec asks for
   * `{ auth: 'accounts' }`; registrations are not throttled (specs make many
   * accounts from one address) unless a spec sets `rateRegistrationsPerHour`.
   */
  static async start(overrides: Partial<AppConfig> = {}): Promise<TestServer> {
    const ownDataDir = overrides.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'chatstream-test-'));
    const config = Object.assign(
      new AppConfig(),
      // No message rate limit and no registration throttle unless a spec sets one: specs send bursts and make many accounts.
      { logLevel: 'warn', port: 0, host: '127.0.0.1', dataDir: ownDataDir, auth: 'open', rateRegistrationsPerHour: 0, rateMessagesPerSecond: 0 },
      // A databaseUrl means PostgreSQL, as DATABASE_URL does (loadConfig is not on this path).
      overrides.databaseUrl !== undefined && overrides.storage === undefined ? { storage: 'postgres' as const } : {},
      overrides,
    );
    const app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new TestServer(app, port, config, ownDataDir);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A REST call; answers status and parsed JSON body. */
  async http<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const init: RequestInit = { method, headers: {} };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    const response = await fetch(this.url + path, init);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T };
  }

  /** Opens a WebSocket as a user; resolves once the welcome frame arrived. */
  async connect(userId: string, username = userId, level: 1 | 2 = 1): Promise<Client> {
    const query = new URLSearchParams({ user_id: userId, username });
    if (level === 2) query.set('protocol', '2');
    const client = new Client(new WebSocket(`ws://127.0.0.1:${this.port}/api/ws?${query}`));
    await client.next((frame) => frame.type === 'system');
    return client;
  }

  // ---- accounts mode ----

  /** A REST call with credentials, headers and the raw answer's headers. */
  request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    return request<T>(this.url, method, path, options);
  }

  /** Creates an account; answers its user, token and cookie. */
  register(name: string, password = PASSWORD): Promise<Credentials> {
    return register(this.url, name, password);
  }

  login(name: string, password = PASSWORD): Promise<Credentials> {
    return login(this.url, name, password);
  }

  /** Opens a WebSocket with a session (bearer header unless `via: 'cookie'`), level 2 unless asked. */
  connectWith(credentials: Pick<Credentials, 'token' | 'cookie'>, options: ConnectOptions = {}): Promise<Client> {
    return connectWith(this.port, credentials, options);
  }

  async close(): Promise<void> {
    await this.app.close();
    if (this.ownDataDir) rmSync(this.ownDataDir, { recursive: true, force: true });
  }
}

/** A `ws` client that records every frame and lets a spec wait for the ones it expects. */
export class Client {
  readonly frames: ServerFrame[] = [];
  private cursor = 0;
  private waiters: Array<() => void> = [];
  closed?: { code: number; reason: string };

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame (after those already taken) that matches; frames before it are skipped. */
  async next<T extends ServerFrame = ServerFrame>(match: (frame: ServerFrame) => boolean = () => true, ms = 3000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const frame = this.frames[this.cursor++];
        if (match(frame)) return frame as T;
      }
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting for a frame`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${ms} ms; last frames: ${JSON.stringify(this.frames.slice(-5)).slice(0, 1000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for `count` frames matching, in order. */
  async collect<T extends ServerFrame = ServerFrame>(count: number, match: (frame: ServerFrame) => boolean, ms = 5000): Promise<T[]> {
    const found: T[] = [];
    while (found.length < count) found.push(await this.next<T>(match, ms));
    return found;
  }

  /** Frames that arrive within `ms` and match (for asserting that nothing comes). */
  async quietFor(ms: number, match: (frame: ServerFrame) => boolean = () => true): Promise<ServerFrame[]> {
    const start = this.frames.length;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.frames.slice(start).filter(match);
  }

  /** Sends join_room and waits for its own join frame. */
  async join(room: string): Promise<void> {
    this.send({ type: 'join_room', content: room });
    await this.next((frame) => (frame.type === 'join' && frame.room === room) || frame.type === 'error');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const done = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.close();
    await done;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export const isError = (frame: ServerFrame): boolean => frame.type === 'error';
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
