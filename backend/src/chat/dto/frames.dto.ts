import { MAX_CLIENT_ID_LENGTH, MAX_NAME_LENGTH, type MembershipRequestFrame } from '@chatstream/protocol';
import { IsIn, IsInt, IsOptional, IsString, Length, MaxLength, Min } from 'class-validator';
import { IsSafeContent, IsSafeName } from '../../common/validation/text-rules';

/** `{"type":"text","content","room"|"recipient"}`; content rules are the service's. */
export class TextFrameDto {
  @IsIn(['text'])
  type!: 'text';

  @IsSafeContent()
  @IsString({ message: 'content must be a string' })
  content!: string;

  @IsTarget('room')
  room?: string;

  @IsTarget('recipient')
  recipient?: string;

  @IsOptional()
  @Length(1, MAX_CLIENT_ID_LENGTH, { message: `client_id must be 1-${MAX_CLIENT_ID_LENGTH} characters` })
  @IsString({ message: 'client_id must be a string' })
  client_id?: string;

  @IsOptional()
  @MaxLength(MAX_NAME_LENGTH, { message: 'reply_to must be a message id' })
  @IsString({ message: 'reply_to must be a message id' })
  reply_to?: string;
}

/** An optional `room` or `recipient`: a safe name; which of them a frame needs is the service's rule. */
function IsTarget(field: 'room' | 'recipient'): PropertyDecorator {
  return (target, key) => {
    // Registered in the order a stack of decorators runs (bottom-up): the type check first, so its message is the one reported.
    IsString({ message: `${field} must be a string` })(target, key);
    MaxLength(MAX_NAME_LENGTH)(target, key);
    IsSafeName()(target, key);
    IsOptional()(target, key);
  };
}

/** A message id field: the service answers 404 for one that names no message. */
function IsMessageId(): PropertyDecorator {
  return (target, key) => {
    MaxLength(MAX_NAME_LENGTH, { message: 'id must be a message id' })(target, key);
    IsString({ message: 'id must be a message id' })(target, key);
  };
}

/** `{"type":"edit","id","content"}`. */
export class EditFrameDto {
  @IsIn(['edit'])
  type!: 'edit';

  @IsMessageId()
  id!: string;

  @IsSafeContent()
  @IsString({ message: 'content must be a string' })
  content!: string;
}

/** `{"type":"delete","id"}`. */
export class DeleteFrameDto {
  @IsIn(['delete'])
  type!: 'delete';

  @IsMessageId()
  id!: string;
}

/** `{"type":"react"|"unreact","id","emoji"}`; which emoji are allowed is the service's rule. */
export class ReactionFrameDto {
  @IsIn(['react', 'unreact'])
  type!: 'react' | 'unreact';

  @IsMessageId()
  id!: string;

  @MaxLength(MAX_NAME_LENGTH, { message: 'emoji must be one emoji or a :short_code:' })
  @IsString({ message: 'emoji must be one emoji or a :short_code:' })
  emoji!: string;
}

/** `{"type":"typing","room"|"recipient"}`. */
export class TypingFrameDto {
  @IsIn(['typing'])
  type!: 'typing';

  @IsTarget('room')
  room?: string;

  @IsTarget('recipient')
  recipient?: string;
}

/** `{"type":"read","room"|"recipient","seq"}` (level 2, accounts mode). */
export class ReadFrameDto {
  @IsIn(['read'])
  type!: 'read';

  @IsTarget('room')
  room?: string;

  @IsTarget('recipient')
  recipient?: string;

  @Min(0, { message: 'seq must be an integer >= 0' })
  @IsInt({ message: 'seq must be an integer >= 0' })
  seq!: number;
}

/** `{"type":"join_room"|"leave_room","content":"<room id>"}`. */
export class MembershipFrameDto implements MembershipRequestFrame {
  @IsIn(['join_room', 'leave_room'])
  type!: 'join_room' | 'leave_room';

  @IsSafeName({ message: 'content must be a room id: no control characters, bidirectional controls or unpaired surrogates' })
  @MaxLength(MAX_NAME_LENGTH, { message: `content must be a room id of at most ${MAX_NAME_LENGTH} characters` })
  @IsString({ message: 'content must be a room id' })
  content!: string;
}
