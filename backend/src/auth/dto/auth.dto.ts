import { ApiProperty } from '@nestjs/swagger';
import {
  MAX_NAME_LENGTH,
  PASSWORD_MAX_LENGTH,
  type AuthConfigResponse,
  type AuthSessionInfo,
  type AuthUserInfo,
  type CredentialsRequest,
  type MeResponse,
  type SessionsResponse,
  type SignInResponse,
} from '@chatstream/protocol';
import { IsString, Length, Matches } from 'class-validator';
import { PASSWORD_MAX, PASSWORD_MIN, PASSWORD_RULE, USERNAME_PATTERN, USERNAME_RULE } from '../credentials';

export class RegisterDto implements CredentialsRequest {
  @ApiProperty({ example: 'ann', pattern: USERNAME_PATTERN.source, description: 'Unique regardless of case' })
  @IsString({ message: USERNAME_RULE })
  @Matches(USERNAME_PATTERN, { message: USERNAME_RULE })
  username!: string;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, description: 'Not the username' })
  @IsString({ message: PASSWORD_RULE })
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: PASSWORD_RULE })
  password!: string;
}

/** Sign-in takes any name a user may have (users of AUTH=open may have names registration would refuse). */
export class LoginDto implements CredentialsRequest {
  @ApiProperty({ example: 'ann' })
  @IsString()
  @Length(1, MAX_NAME_LENGTH)
  username!: string;

  @ApiProperty({ maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  password!: string;
}

export class AuthConfigDto implements AuthConfigResponse {
  @ApiProperty({ enum: ['accounts', 'open'] }) auth!: 'accounts' | 'open';
  @ApiProperty({ enum: ['open', 'closed'] }) registration!: 'open' | 'closed';
}

export class AuthUserDto implements AuthUserInfo {
  @ApiProperty() id!: string;
  @ApiProperty() username!: string;
}

export class SignInResponseDto implements SignInResponse {
  @ApiProperty({ type: AuthUserDto }) user!: AuthUserDto;
  @ApiProperty({ description: 'The session token (also set as the chatstream_session cookie); for Authorization: Bearer' }) token!: string;
}

export class MeResponseDto implements MeResponse {
  @ApiProperty({ type: AuthUserDto }) user!: AuthUserDto;
}

export class SessionInfoDto implements AuthSessionInfo {
  @ApiProperty({ description: 'Not the token' }) id!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) last_used_at!: string;
  @ApiProperty({ type: String, nullable: true }) user_agent!: string | null;
  @ApiProperty({ description: 'The session of this request' }) current!: boolean;
}

export class SessionsResponseDto implements SessionsResponse {
  @ApiProperty({ type: [SessionInfoDto] }) sessions!: SessionInfoDto[];
}
