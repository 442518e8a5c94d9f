import { Injectable } from '@nestjs/common';
import { Membership, RoomRecord, RoomsRepository } from '../../rooms/rooms.repository';
import { storageError } from '../storage.errors';
import { KyselyStorage } from '../storage-health';

const COLUMNS = ['id', 'name', 'description', 'created_at', 'last_seq'] as const;

function toRecord(row: { id: string; name: string; description: string; created_at: string; last_seq: number }): RoomRecord {
  return { id: row.id, name: row.name, description: row.description, createdAt: row.created_at, lastSeq: Number(row.last_seq) };
}

@Injectable()
export class KyselyRoomsRepository extends RoomsRepository {
  constructor(private readonly storage: KyselyStorage) {
    super();
  }

  async listRooms(): Promise<RoomRecord[]> {
    const rows = await this.read(
      this.storage.db.selectFrom('rooms').select(COLUMNS).orderBy('created_at').orderBy('id').execute(),
    );
    return rows.map(toRecord);
  }

  async findRoom(id: string): Promise<RoomRecord | undefined> {
    const row = await this.read(this.storage.db.selectFrom('rooms').select(COLUMNS).where('id', '=', id).executeTakeFirst());
    return row && toRecord(row);
  }

  async createRoom(room: RoomRecord): Promise<void> {
    await this.write(
      this.storage.db
        .insertInto('rooms')
        .values({
          id: room.id,
          name: room.name,
          name_key: room.name.toLowerCase(),
          description: room.description,
          created_at: room.createdAt,
        })
        .execute(),
      `a room named "${room.name}" already exists`,
    );
  }

  async listMemberships(): Promise<Membership[]> {
    const rows = await this.read(
      this.storage.db.selectFrom('memberships').select(['room_id', 'user_id']).orderBy('joined_at').execute(),
    );
    return rows.map((row) => ({ roomId: row.room_id, userId: row.user_id }));
  }

  async countMembers(): Promise<Map<string, number>> {
    const rows = await this.read(
      this.storage.db
        .selectFrom('memberships')
        .select((eb) => ['room_id', eb.fn.countAll<string | number>().as('n')])
        .groupBy('room_id')
        .execute(),
    );
    return new Map(rows.map((row) => [row.room_id, Number(row.n)]));
  }

  async isMember({ roomId, userId }: Membership): Promise<boolean> {
    const row = await this.read(
      this.storage.db.selectFrom('memberships').select('user_id').where('room_id', '=', roomId).where('user_id', '=', userId).executeTakeFirst(),
    );
    return row !== undefined;
  }

  async addMember({ roomId, userId }: Membership): Promise<boolean> {
    const result = await this.write(
      this.storage.db
        .insertInto('memberships')
        .values({ room_id: roomId, user_id: userId, joined_at: new Date().toISOString() })
        .onConflict((oc) => oc.columns(['room_id', 'user_id']).doNothing())
        .executeTakeFirst(),
    );
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async removeMember({ roomId, userId }: Membership): Promise<boolean> {
    const result = await this.write(
      this.storage.db.deleteFrom('memberships').where('room_id', '=', roomId).where('user_id', '=', userId).executeTakeFirst(),
    );
    return Number(result.numDeletedRows) > 0;
  }

  private async read<T>(query: Promise<T>): Promise<T> {
    try {
      return await query;
    } catch (error) {
      throw storageError(error);
    }
  }

  private async write<T>(operation: Promise<T>, conflict?: string): Promise<T> {
    try {
      const result = await operation;
      this.storage.wrote();
      return result;
    } catch (error) {
      const mapped = storageError(error, conflict);
      if (mapped.getStatus() === 503) this.storage.wrote(error);
      throw mapped;
    }
  }
}
