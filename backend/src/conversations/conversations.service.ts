import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { HISTORY_DEFAULT_LIMIT, type Conversation, type PrivateMessageFrame } from '@chatstream/protocol';
import type { AuthUser } from '../auth/auth-user';
import { messageFrame } from '../common/frames';
import { UsersService } from '../users/users.service';
import { ConversationsRepository } from './conversations.repository';

/** Private history, for its two participants only: the signed-in user is always one of them. */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly repository: ConversationsRepository,
    private readonly users: UsersService,
  ) {}

  /** The user's conversations, most recent first, each with its newest message. */
  async list(user: AuthUser): Promise<Conversation[]> {
    const conversations = await this.repository.list(user.id);
    return conversations.map(({ other, lastMessage }) => ({ user: other, last_message: messageFrame(lastMessage) as PrivateMessageFrame }));
  }

  /** The newest `limit` messages between the user and `otherId` (older than message `before`), oldest first. */
  async messages(user: AuthUser, otherId: string, limit = HISTORY_DEFAULT_LIMIT, before?: string): Promise<PrivateMessageFrame[]> {
    const lookup = this.users.ensureKnown(otherId);
    if (lookup) await lookup;
    if (!this.users.isKnown(otherId)) throw new NotFoundException(`unknown user: ${otherId}`);
    const page = await this.repository.page(user.id, otherId, limit, before);
    if (page === undefined) throw new BadRequestException(`before: no message ${before} in this conversation`);
    return page.map((message) => messageFrame(message) as PrivateMessageFrame);
  }
}
