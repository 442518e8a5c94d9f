/** A room as stored. */
export interface RoomRecord {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  /** seq of the room's newest message when read (0: none). */
  lastSeq?: number;
}

export interface Membership {
  roomId: string;
  userId: string;
}

/** Storage of rooms and of who is a member of which room. DI token; see `storage/`. */
export abstract class RoomsRepository {
  abstract listRooms(): Promise<RoomRecord[]>;
  abstract findRoom(id: string): Promise<RoomRecord | undefined>;
  /** Stores a new room; the service has checked that id and name are free. */
  abstract createRoom(room: RoomRecord): Promise<void>;
  abstract listMemberships(): Promise<Membership[]>;
  /** Members per room, counted in storage (rooms without members left out). */
  abstract countMembers(): Promise<Map<string, number>>;
  abstract isMember(membership: Membership): Promise<boolean>;
  /** True when this call made the membership; false when it existed (another tab or instance was first). */
  abstract addMember(membership: Membership): Promise<boolean>;
  /** True when this call ended the membership; false when there was none. */
  abstract removeMember(membership: Membership): Promise<boolean>;
}
