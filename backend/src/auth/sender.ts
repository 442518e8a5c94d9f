import { BadRequestException, ForbiddenException } from '@nestjs/common';
import type { AuthUser } from './auth-user';

/**
 * Who sends a `POST /api/messages`. Accounts mode: the signed-in user, and
 * a `sender_id` naming anyone else is refused (403) before anything is
 * stored; `sender` is ignored. AUTH=open: the body says, as in the original.
 */
export function senderOf(user: AuthUser | undefined, claimed: { sender?: string; sender_id?: string }): { senderId: string; senderName: string } {
  if (user) {
    if (claimed.sender_id !== undefined && claimed.sender_id !== user.id) throw new ForbiddenException('sender_id is not the signed-in user');
    return { senderId: user.id, senderName: user.username };
  }
  if (claimed.sender === undefined) throw new BadRequestException('sender must be a string');
  if (claimed.sender_id === undefined) throw new BadRequestException('sender_id must be a string');
  return { senderId: claimed.sender_id, senderName: claimed.sender };
}
