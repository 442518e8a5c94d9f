import { MAX_CLIENT_ID_LENGTH, MAX_NAME_LENGTH, type MembershipRequestFrame } from '@chatstream/protocol';
import { IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { IsSafeContent, IsSafeName } from '../../common/validation/text-rules';

/** `{"type":"text","content","room"|"recipient"}`; content rules are the service's. */
export class TextFrameDto {
  @IsIn(['text'])
  type!: 'text';

  @IsSafeContent()
  @IsString({ message: 'content must be a string' })
  content!: string;

  // Decorators run bottom-up: the type check comes first, so its message is the one reported.
  @IsOptional()
  @IsSafeName()
  @MaxLength(MAX_NAME_LENGTH)
  @IsString({ message: 'room must be a string' })
  room?: string;

  @IsOptional()
  @IsSafeName()
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

  @IsSafeName({ message: 'content must be a room id: no control characters, bidirectional controls or unpaired surrogates' })
  @MaxLength(MAX_NAME_LENGTH, { message: `content must be a room id of at most ${MAX_NAME_LENGTH} characters` })
  @IsString({ message: 'content must be a room id' })
  content!: string;
}
