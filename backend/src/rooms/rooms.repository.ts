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
  abstract isMember(membership: Membership): Promise<boolean>;
  abstract addMember(membership: Membership): Promise<void>;
  abstract removeMember(membership: Membership): Promise<void>;
}
