import { LocalCluster } from '../cluster/cluster';
import { AppConfig } from '../config/app-config';
import { FanoutService } from '../fanout/fanout.service';
import { MemoryRoomsRepository } from '../storage/memory/memory.repositories';
import { MembershipService } from './membership.service';
import type { Membership } from './rooms.repository';

/** Other instances may exist: misses are read from storage (nothing is relayed in this spec). */
class ClusterOfMany extends LocalCluster {
  override readonly enabled = true;
}

/** Storage whose reads wait until the spec lets them answer: a read that began before a change, answering after it. */
class SlowReads extends MemoryRoomsRepository {
  private readonly held: Array<() => void> = [];

  override async isMember(membership: Membership): Promise<boolean> {
    const answer = await super.isMember(membership);
    await new Promise<void>((resolve) => this.held.push(resolve));
    return answer;
  }

  override async listMemberships(): Promise<Membership[]> {
    const answer = await super.listMemberships();
    await new Promise<void>((resolve) => this.held.push(resolve));
    return answer;
  }

  /** Lets every held read answer (with what it read when it began). */
  async answer(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    for (const resolve of this.held.splice(0)) resolve();
  }
}

describe('MembershipService', () => {
  function sut() {
    const repository = new SlowReads();
    const membership = new MembershipService(repository, new FanoutService(new AppConfig()), new ClusterOfMany());
    return { repository, membership };
  }

  it('a read of storage that began before a leave does not bring the membership back', async () => {
    const { repository, membership } = sut();
    await repository.addMember({ roomId: 'r', userId: 'ann' }); // made on another instance
    const read = membership.ensure('r', 'ann') as Promise<void>;
    // The leave happens (here, or its event arrives) while the read is in flight.
    membership.applyRemote(false, 'r', 'ann');
    await repository.removeMember({ roomId: 'r', userId: 'ann' });
    await repository.answer();
    await read;
    expect(membership.isMember('r', 'ann')).toBe(false);
  });

  it('a read of storage finds a membership made elsewhere', async () => {
    const { repository, membership } = sut();
    await repository.addMember({ roomId: 'r', userId: 'bob' });
    const read = membership.ensure('r', 'bob') as Promise<void>;
    await repository.answer();
    await read;
    expect(membership.isMember('r', 'bob')).toBe(true);
  });

  it('reconciling after a relay outage adds and removes what storage says, except what changed meanwhile', async () => {
    const { repository, membership } = sut();
    membership.applyRemote(true, 'r', 'gone'); // its leave event was lost
    await repository.addMember({ roomId: 'r', userId: 'missed' }); // its join event was lost
    await repository.addMember({ roomId: 'r', userId: 'late' });
    const reconcile = membership.reconcile();
    await new Promise((resolve) => setImmediate(resolve));
    // While storage is read: 'late' leaves here.
    membership.applyRemote(false, 'r', 'late');
    await repository.answer();
    await reconcile;
    expect(['gone', 'missed', 'late'].filter((user) => membership.isMember('r', user))).toEqual(['missed']);
  });

  it('a membership known here is used without reading storage', async () => {
    const { repository, membership } = sut();
    membership.applyRemote(true, 'r', 'cat');
    expect(membership.ensure('r', 'cat')).toBeUndefined();
    expect(membership.count('r')).toBe(1);
    await repository.answer();
  });
});
