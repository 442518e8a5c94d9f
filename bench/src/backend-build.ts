import 'reflect-metadata';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { REPO } from './servers';
import { Histogram, type LatencySummary } from './stats/histogram';

type Repository = Record<string, (...args: any[]) => Promise<any>>;

/**
 * The pieces of a backend build the benches drive directly, from its dist
 * (this checkout's by default; builds since the accounts release have this
 * layout): its storage as the server opens and migrates it, its
 * repositories, its frames.
 */
export interface Build {
  openSqlite(dataDir: string): { db: Kysely<any> };
  migrate(db: Kysely<any>): Promise<string[]>;
  /** `search`: the index that follows commits (builds since migration 0008). */
  storage(opened: { db: Kysely<any> }): { onApplicationShutdown(): Promise<void>; search?: { catchUp(): Promise<number> } };
  config(): { commitWindowMs: number };
  messages(storage: unknown, config: unknown): Repository;
  conversations(storage: unknown): Repository;
  messageFrame(message: object): object;
  serialize(frame: object): Buffer;
}

export function loadBuild(checkout = REPO): Build {
  const dist = join(checkout, 'backend', 'dist');
  const load = <T>(path: string): T => require(join(dist, path)) as T;
  const { openSqlite } = load<Pick<Build, 'openSqlite'>>('storage/database.js');
  const { migrate } = load<Pick<Build, 'migrate'>>('storage/migrations/index.js');
  const { KyselyStorage } = load<{ KyselyStorage: new (opened: unknown) => ReturnType<Build['storage']> }>('storage/storage-health.js');
  const { KyselyMessagesRepository } = load<{ KyselyMessagesRepository: new (s: unknown, c: unknown) => Repository }>('storage/kysely/kysely-messages.repository.js');
  const { AppConfig } = load<{ AppConfig: new () => ReturnType<Build['config']> }>('config/app-config.js');
  const { messageFrame } = load<Pick<Build, 'messageFrame'>>('common/frames.js');
  const { serialize } = load<Pick<Build, 'serialize'>>('fanout/fanout.service.js');
  return {
    openSqlite,
    migrate,
    storage: (opened) => new KyselyStorage(opened),
    config: () => new AppConfig(),
    messages: (storage, config) => new KyselyMessagesRepository(storage, config),
    conversations: (storage) => {
      const { KyselyConversationsRepository } = load<{ KyselyConversationsRepository: new (s: unknown) => Repository }>('storage/kysely/kysely-conversations.repository.js');
      return new KyselyConversationsRepository(storage);
    },
    messageFrame,
    serialize,
  };
}

/**
 * Wall time of `calls` awaited calls of `run` inside one process: what a
 * query costs without HTTP, a server's event loop or a client's, after
 * `warmup` untimed calls.
 */
export async function timeCalls(run: (i: number) => Promise<unknown>, calls: number, warmup = 50): Promise<LatencySummary> {
  for (let i = 0; i < warmup; i++) await run(i);
  const times = new Histogram();
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await run(i);
    times.recordMs(performance.now() - t);
  }
  return times.summary();
}
