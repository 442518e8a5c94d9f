import { once } from 'node:events';
import type { ServerFrame } from '@chatstream/protocol';
import { postgresDatabase, type TestDatabase } from './databases';
import type { Client } from './harness';
import { startProcess, type ServerProcess } from './processes';

/* Shared by the specs that run several instances (PostgreSQL + Redis). */

export const clusterSkipReason = !process.env.DATABASE_URL
  ? 'DATABASE_URL is not set: the scale-out suite is skipped (.ci/run sets it)'
  : !process.env.REDIS_URL
    ? 'REDIS_URL is not set: the scale-out suite is skipped (.ci/run sets it)'
    : undefined;
if (clusterSkipReason) console.warn(clusterSkipReason);
export const describeCluster = clusterSkipReason ? describe.skip : describe;

export const LEASE_MS = 1500;

export const isPresence = (user: string, content: 'online' | 'offline') => (f: ServerFrame) =>
  f.type === 'presence' && f.user_id === user && f.content === content;

/** Instances sharing one fresh PostgreSQL database and one Redis key prefix. */
export async function cluster(count: number, database: TestDatabase, redisUrl = process.env.REDIS_URL as string, extra: Record<string, string> = {}) {
  const prefix = `cs-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const env = { DATABASE_URL: database.databaseUrl, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, PRESENCE_LEASE_MS: String(LEASE_MS), LOG_LEVEL: 'warn', ...extra };
  const instances: ServerProcess[] = [];
  // One after another: the first one migrates the schema.
  for (let i = 0; i < count; i++) instances.push(await startProcess(env));
  return { instances, env };
}

export async function stop(instances: ServerProcess[]): Promise<void> {
  await Promise.all(
    instances.map(async (instance) => {
      if (instance.child.exitCode !== null || instance.child.signalCode !== null) return;
      instance.child.kill('SIGKILL');
      await once(instance.child, 'exit');
    }),
  );
}

/**
 * Two instances over one fresh database for a describe block, handed to
 * `onStart`, and a `connect` whose clients are dropped when the block ends.
 */
export function twoInstancesPerSuite(onStart: (a: ServerProcess, b: ServerProcess) => void) {
  let database: TestDatabase;
  let instances: ServerProcess[] = [];
  const clients: Client[] = [];
  beforeAll(async () => {
    database = await postgresDatabase();
    ({ instances } = await cluster(2, database));
    onStart(instances[0], instances[1]);
  }, 60000);
  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await stop(instances);
    await database.drop();
  });
  return async function connect(on: ServerProcess, user: string, level: 1 | 2 = 2): Promise<Client> {
    const client = await on.connect(user, user.toUpperCase(), level);
    clients.push(client);
    return client;
  };
}
