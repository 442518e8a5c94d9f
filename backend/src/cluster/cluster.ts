import type { MembershipFrame, OnlineUser, RoomMessageFrame, ServerFrame } from '@chatstream/protocol';
import type { RoomRecord } from '../rooms/rooms.repository';

/** What one instance tells the others. */
export type ClusterEvent =
  | { t: 'message'; seq: number; frame: RoomMessageFrame }
  | { t: 'users'; users: string[]; frame: ServerFrame }
  /** message_updated and typing: to level-2 connections of a room or of users, none of `except`'s. */
  | { t: 'level2'; target: { room: string } | { users: string[] }; except?: string; frame: ServerFrame }
  | { t: 'member'; joined: boolean; room: string; user: string; frame: MembershipFrame }
  | { t: 'room'; room: RoomRecord }
  | { t: 'presence'; content: 'online' | 'offline'; user: string; username: string }
  | { t: 'known'; user: string; username: string }
  | { t: 'session_ended'; session: string }
  /** Not sent: an instance tells itself that events may have been lost (the relay was away) and caches must be checked. */
  | { t: 'resync' };

/**
 * The other instances, when there are any. `LocalCluster` (no REDIS_URL)
 * does nothing and answers as a lone instance would; the Redis one relays
 * events over pub/sub and keeps presence across instances.
 */
export abstract class Cluster {
  /** True when other instances may exist: caches can be stale, presence is global. */
  abstract readonly enabled: boolean;
  /** Tells every other instance (never this one). Fire and forget: a lost event is logged. */
  abstract publish(event: ClusterEvent): void;
  /** Registers the handler of events from other instances. */
  abstract onEvent(handler: (event: ClusterEvent) => void): void;
  /** A user's first connection on this instance opened; true when it is their first anywhere. */
  abstract userUp(userId: string, username: string): Promise<boolean>;
  /** A user's last connection on this instance closed; true when it was their last anywhere. */
  abstract userDown(userId: string): Promise<boolean>;
  /** Records the current room of a user's seed-level connection (for `GET /api/users`). */
  abstract setSeedRoom(userId: string, room: string | undefined): void;
  /** Users online on any instance, or undefined when only this instance's count. */
  abstract onlineUsers(): Promise<OnlineUser[] | undefined>;
}

export class LocalCluster extends Cluster {
  readonly enabled: boolean = false;
  publish(): void {}
  onEvent(): void {}
  async userUp(): Promise<boolean> {
    return true;
  }
  async userDown(): Promise<boolean> {
    return true;
  }
  setSeedRoom(): void {}
  async onlineUsers(): Promise<OnlineUser[] | undefined> {
    return undefined;
  }
}
