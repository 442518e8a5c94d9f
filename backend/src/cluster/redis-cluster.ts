import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { OnlineUser } from '@chatstream/protocol';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { Cluster, type ClusterEvent } from './cluster';

/** Registers a connection of a user on an instance; returns 1 when the user was offline everywhere. */
const UP = `
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[4], ARGV[2])
return redis.call('SADD', KEYS[2], ARGV[2])`;

/** Removes an instance's connections of a user (all of them when ARGV[3] is 'all'); returns 1 when none is left anywhere. */
const DOWN = `
local left = 0
if ARGV[3] == 'all' then redis.call('HDEL', KEYS[1], ARGV[1]) else left = redis.call('HINCRBY', KEYS[1], ARGV[1], -1) end
if left <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[4], ARGV[2])
end
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[2])
  redis.call('HDEL', KEYS[5], ARGV[2])
  return 1
end
return 0`;

interface Envelope {
  from: string;
  event: ClusterEvent;
}

/**
 * Several instances as one server, through Redis: events over one pub/sub
 * channel, and presence as per-user connection counts per instance. Each
 * instance holds a lease it renews; when one dies, the others notice the
 * lapsed lease and take its users offline.
 *
 * Redis being away is survivable: publishing fails fast and is logged (the
 * instance keeps serving its own sockets; rooms fill delivery gaps from
 * storage), and on reconnect this instance rewrites its presence.
 */
export class RedisCluster extends Cluster implements OnModuleInit, OnApplicationShutdown {
  readonly enabled = true;
  readonly instanceId: string = randomUUID();
  private readonly logger = new Logger('Cluster');
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private handler: (event: ClusterEvent) => void = () => undefined;
  private timer?: NodeJS.Timeout;
  /** Users with connections here, and how many: what this instance claims in Redis. */
  private readonly local = new Map<string, { username: string; count: number }>();
  private readonly seedRooms = new Map<string, string>();
  private down = false;
  /** Our lease was set once: a missing lease key since means it lapsed. */
  private leased = false;
  /** Our lease lapsed: reclaim our users once the reaper is done with them. */
  private lapsed = false;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly leaseMs: number,
  ) {
    super();
    const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true, retryStrategy: (n: number) => Math.min(n * 200, 2000) };
    this.redis = new Redis(url, options);
    this.subscriber = new Redis(url, { ...options, enableOfflineQueue: true });
    this.channel = `${prefix}:events`;
    for (const client of [this.redis, this.subscriber]) client.on('error', (error: Error) => this.unavailable(error));
    this.redis.on('ready', () => void this.available());
    this.subscriber.on('message', (_channel: string, text: string) => this.receive(text));
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.redis.connect(), this.subscriber.connect()]).catch((error: Error) => this.unavailable(error));
    await this.subscriber.subscribe(this.channel).catch((error: Error) => this.unavailable(error));
    this.timer = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
    await this.tick();
    this.logger.log(`instance ${this.instanceId} joined cluster "${this.prefix}"`);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    // Leaving cleanly: our users go offline now rather than when the lease lapses.
    for (const userId of [...this.local.keys()]) await this.userDown(userId, true).catch(() => undefined);
    await this.redis.multi().del(this.key('alive', this.instanceId), this.key('users', this.instanceId)).srem(this.key('instances'), this.instanceId).exec().catch(() => undefined);
    this.redis.disconnect();
    this.subscriber.disconnect();
  }

  publish(event: ClusterEvent): void {
    const text = JSON.stringify({ from: this.instanceId, event } satisfies Envelope);
    this.redis.publish(this.channel, text).catch((error: Error) => this.unavailable(error));
  }

  onEvent(handler: (event: ClusterEvent) => void): void {
    this.handler = handler;
  }

  async userUp(userId: string, username: string): Promise<boolean> {
    const mine = this.local.get(userId);
    if (mine) mine.count++;
    else this.local.set(userId, { username, count: 1 });
    try {
      const added = (await this.redis.eval(UP, 4, ...this.userKeys(userId).slice(0, 4), this.instanceId, userId, username)) as number;
      return added === 1;
    } catch (error) {
      this.unavailable(error as Error);
      return true; // alone as far as we can tell: tell our own sockets
    }
  }

  async userDown(userId: string, all = false): Promise<boolean> {
    const mine = this.local.get(userId);
    if (mine && (all || --mine.count <= 0)) this.local.delete(userId);
    this.seedRooms.delete(userId);
    try {
      const gone = (await this.redis.eval(DOWN, 5, ...this.userKeys(userId), this.instanceId, userId, all ? 'all' : 'one')) as number;
      return gone === 1;
    } catch (error) {
      this.unavailable(error as Error);
      return true;
    }
  }

  setSeedRoom(userId: string, room: string | undefined): void {
    if (room === undefined) this.seedRooms.delete(userId);
    else this.seedRooms.set(userId, room);
    const write = room === undefined ? this.redis.hdel(this.key('seedroom'), userId) : this.redis.hset(this.key('seedroom'), userId, room);
    write.catch((error: Error) => this.unavailable(error));
  }

  async onlineUsers(): Promise<OnlineUser[] | undefined> {
    try {
      const ids = await this.redis.smembers(this.key('online'));
      if (ids.length === 0) return [];
      const [names, rooms] = await Promise.all([this.redis.hmget(this.key('names'), ...ids), this.redis.hmget(this.key('seedroom'), ...ids)]);
      return ids.map((id, i) => {
        const user: OnlineUser = { id, username: names[i] ?? id };
        if (rooms[i]) user.room = rooms[i] as string;
        return user;
      });
    } catch (error) {
      this.unavailable(error as Error);
      return undefined; // fall back to this instance's view
    }
  }

  /**
   * Renews our lease and takes the users of instances whose lease lapsed
   * offline. Our own lease can lapse while Redis stays up (the event loop
   * stalled longer than the lease): another instance then reaps our users,
   * and we claim them again once it is done.
   */
  private async tick(): Promise<void> {
    try {
      const alive = this.key('alive', this.instanceId);
      const renewed = await this.redis.multi().exists(alive).set(alive, '1', 'PX', this.leaseMs).sadd(this.key('instances'), this.instanceId).exec();
      if (this.leased && renewed?.[0]?.[1] === 0 && !this.lapsed) {
        this.lapsed = true;
        this.logger.warn('presence lease lapsed (the event loop stalled?): claiming this instance\'s users again');
      }
      this.leased = true;
      if (this.lapsed && !(await this.redis.exists(this.key('reaping', this.instanceId)))) {
        this.lapsed = false;
        await this.reclaim();
      }
      for (const other of await this.redis.smembers(this.key('instances'))) {
        if (other === this.instanceId || (await this.redis.exists(this.key('alive', other)))) continue;
        // One instance reaps a dead one.
        if ((await this.redis.set(this.key('reaping', other), this.instanceId, 'PX', this.leaseMs, 'NX')) !== 'OK') continue;
        // It may have renewed since we looked (it only stalled): then it keeps its users.
        if (await this.redis.exists(this.key('alive', other))) continue;
        await this.reap(other);
      }
    } catch (error) {
      this.unavailable(error as Error);
    }
  }

  private async reap(instance: string): Promise<void> {
    const users = await this.redis.smembers(this.key('users', instance));
    let offline = 0;
    for (const userId of users) {
      const gone = (await this.redis.eval(DOWN, 5, ...this.userKeys(userId, instance), instance, userId, 'all')) as number;
      if (gone !== 1) continue;
      offline++;
      const username = (await this.redis.hget(this.key('names'), userId)) ?? userId;
      const event: ClusterEvent = { t: 'presence', content: 'offline', user: userId, username };
      this.publish(event);
      this.handler(event);
    }
    await this.redis.multi().del(this.key('users', instance)).srem(this.key('instances'), instance).exec();
    this.logger.warn(`instance ${instance} stopped renewing its lease: ${offline} of its users went offline`);
  }

  /** Redis is back: claim our users again, and have the caches checked against storage (events may have been lost). */
  private async available(): Promise<void> {
    if (!this.down) return;
    this.down = false;
    this.logger.log('redis is reachable again; resuming cross-instance fan-out');
    try {
      await this.reclaim();
    } catch (error) {
      this.unavailable(error as Error);
    }
    this.handler({ t: 'resync' });
  }

  /** Writes our users' presence again and drops claims for those who left meanwhile. */
  private async reclaim(): Promise<void> {
    for (const [userId, { username, count }] of this.local) {
      const added = await this.redis.eval(UP, 4, ...this.userKeys(userId).slice(0, 4), this.instanceId, userId, username);
      await this.redis.hset(this.key('conns', userId), this.instanceId, count);
      // Taken offline for the others meanwhile (our lease lapsed): online again for them.
      if (added === 1) this.publish({ t: 'presence', content: 'online', user: userId, username });
    }
    for (const userId of await this.redis.smembers(this.key('users', this.instanceId))) {
      if (this.local.has(userId)) continue;
      const gone = (await this.redis.eval(DOWN, 5, ...this.userKeys(userId), this.instanceId, userId, 'all')) as number;
      if (gone === 1) {
        const username = (await this.redis.hget(this.key('names'), userId)) ?? userId;
        this.publish({ t: 'presence', content: 'offline', user: userId, username });
      }
    }
    for (const [userId, room] of this.seedRooms) await this.redis.hset(this.key('seedroom'), userId, room);
  }

  private unavailable(error: Error): void {
    if (this.down) return;
    this.down = true;
    this.logger.error(`redis unavailable (${error.message}): serving local connections only until it is back`);
  }

  private receive(text: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      return;
    }
    if (envelope.from === this.instanceId) return;
    try {
      this.handler(envelope.event);
    } catch (error) {
      this.logger.error(`cluster event ${envelope.event?.t} failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  private userKeys(userId: string, instance = this.instanceId): [string, string, string, string, string] {
    return [this.key('conns', userId), this.key('online'), this.key('names'), this.key('users', instance), this.key('seedroom')];
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }
}

/**
 * Tells the instances of cluster `prefix` one event, from outside any
 * instance (the operator's command line); resolves once Redis took it.
 */
export async function publishOnce(url: string, prefix: string, event: ClusterEvent): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.publish(`${prefix}:events`, JSON.stringify({ from: `cli-${randomUUID()}`, event } satisfies Envelope));
  } finally {
    redis.disconnect();
  }
}
