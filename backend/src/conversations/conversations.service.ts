import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { HISTORY_DEFAULT_LIMIT, type Conversation, type PrivateMessageFrame } from '@chatstream/protocol';
import type { AuthUser } from '../auth/auth-user';
import { messageFrame } from '../common/frames';
import { UsersService } from '../users/users.service';
import { ConversationsRepository } from './conversations.repository';
import { MessagesRepository } from '../messages/messages.repository';
import { ReadStateRepository } from '../reads/read-state.repository';

/** Which page of a conversation: the newest, older than `before`, with seq above `after`, or changed after a rev. */
export interface ConversationPage {
  limit?: number;
  before?: string;
  after?: number;
  changedAfter?: number;
}

/** Private history, for its two participants only: the signed-in user is always one of them. */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly repository: ConversationsRepository,
    private readonly users: UsersService,
    private readonly store: MessagesRepository,
    private readonly reads: ReadStateRepository,
  ) {}

  /** The user's conversations, most recent first, each with its newest message and the user's read state. */
  async list(user: AuthUser): Promise<Conversation[]> {
    const conversations = await this.repository.list(user.id);
    const states = await this.reads.conversationStates(user.id, conversations.map(({ other }) => other.id));
    return conversations.map(({ other, lastMessage }) => {
      const state = states.get(other.id);
      return {
        user: other,
        last_message: messageFrame(lastMessage) as PrivateMessageFrame,
        last_read_seq: state?.lastReadSeq ?? 0,
        unread: state?.unread ?? 0,
        unread_mentions: state?.unreadMentions ?? 0,
      };
    });
  }

  /** The newest `limit` messages between the user and `otherId` (older than message `before`), oldest first. */
  async messages(user: AuthUser, otherId: string, { limit = HISTORY_DEFAULT_LIMIT, before, after, changedAfter }: ConversationPage = {}): Promise<PrivateMessageFrame[]> {
    const given = [before, after, changedAfter].filter((value) => value !== undefined).length;
    if (given > 1) throw new BadRequestException('before, after and changed_after cannot be combined');
    const lookup = this.users.ensureKnown(otherId);
    if (lookup) await lookup;
    if (!this.users.isKnown(otherId)) throw new NotFoundException(`unknown user: ${otherId}`);
    const between: [string, string] = [user.id, otherId];
    if (changedAfter !== undefined) return (await this.store.changedAfter({ between }, changedAfter, limit)).map((m) => messageFrame(m) as PrivateMessageFrame);
    if (after !== undefined) return (await this.store.conversationAfter(between, limit, after)).map((m) => messageFrame(m) as PrivateMessageFrame);
    const page = await this.repository.page(user.id, otherId, limit, before);
    if (page === undefined) throw new BadRequestException(`before: no message ${before} in this conversation`);
    return page.map((message) => messageFrame(message) as PrivateMessageFrame);
  }
}
