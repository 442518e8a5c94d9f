import { MAX_CLIENT_ID_LENGTH, MAX_NAME_LENGTH, type MembershipRequestFrame } from '@chatstream/protocol';
import { IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';

/** `{"type":"text","content","room"|"recipient"}`; content rules are the service's. */
export class TextFrameDto {
  @IsIn(['text'])
  type!: 'text';

  @IsString({ message: 'content must be a string' })
  content!: string;

  // Decorators run bottom-up: the type check comes first, so its message is the one reported.
  @IsOptional()
  @MaxLength(MAX_NAME_LENGTH)
  @IsString({ message: 'room must be a string' })
  room?: string;

  @IsOptional()
  @MaxLength(MAX_NAME_LENGTH)
  @IsString({ message: 'recipient must be a string' })
  recipient?: string;

  @IsOptional()
  @Length(1, MAX_CLIENT_ID_LENGTH, { message: `client_id must be 1-${MAX_CLIENT_ID_LENGTH} characters` })
  @IsString({ message: 'client_id must be a string' })
  client_id?: string;
}

/** `{"type":"join_room"|"leave_room","content":"<room id>"}`. */
export class MembershipFrameDto implements MembershipRequestFrame {
  @IsIn(['join_room', 'leave_room'])
  type!: 'join_room' | 'leave_room';

  @IsString({ message: 'content must be a room id' })
  content!: string;
}
