import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiBearerAuth,
} from '@nestjs/swagger';
import type { AuthConfigResponse, MeResponse, SessionsResponse, SignInResponse } from '@chatstream/protocol';
import type { Request, Response } from 'express';
import { ErrorResponseDto } from '../common/error-response.dto';
import { AppConfig } from '../config/app-config';
import type { AuthUser } from './auth-user';
import { AuthService, type ClientInfo } from './auth.service';
import { CurrentUser, Public } from './decorators';
import { AuthConfigDto, LoginDto, MeResponseDto, RegisterDto, SessionsResponseDto, SignInResponseDto } from './dto/auth.dto';
import { clientAddress, secureCookie, sessionCookieHeader } from './request-credentials';
import { SessionsService } from './sessions.service';

/** `GET /api/auth/config`: both modes, so a client knows which one it talks to. */
@ApiTags('auth')
@Controller('auth')
export class AuthConfigController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Get('config')
  @ApiOkResponse({ type: AuthConfigDto })
  settings(): AuthConfigResponse {
    return this.auth.settings();
  }
}

/** Accounts and sessions (registered in AUTH=accounts only: in open mode these routes are 404). */
@ApiTags('auth')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('register')
  @ApiCreatedResponse({ type: SignInResponseDto, description: 'The account, its first session token, and the session cookie' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Bad username or password, unknown fields' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'REGISTRATION=closed' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Username taken (regardless of case)' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Too many registrations from this address (Retry-After)' })
  async register(@Body() body: RegisterDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<SignInResponse> {
    return this.withCookie(await this.auth.register(body.username, body.password, this.client(request)), request, response);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: SignInResponseDto, description: 'The user, a new session token, and the session cookie' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'invalid username or password' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: '5 failures for this username from this address within 15 minutes (Retry-After)' })
  async login(@Body() body: LoginDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<SignInResponse> {
    return this.withCookie(await this.auth.login(body.username, body.password, this.client(request)), request, response);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The session ended on every instance; its sockets closed with 4001; the cookie cleared' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto })
  async logout(@CurrentUser() user: AuthUser, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.auth.logout(user);
    response.setHeader('Set-Cookie', sessionCookieHeader('', 0, secureCookie(request, this.config)));
  }

  @Get('me')
  @ApiOkResponse({ type: MeResponseDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto })
  me(@CurrentUser() user: AuthUser): MeResponse {
    return { user: { id: user.id, username: user.username } };
  }

  @Get('sessions')
  @ApiOkResponse({ type: SessionsResponseDto, description: 'The signed-in user\'s sessions, most recently used first' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto })
  async list(@CurrentUser() user: AuthUser): Promise<SessionsResponse> {
    return { sessions: await this.auth.listSessions(user) };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'As logout, for that session' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'Not a session of this user' })
  async end(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    await this.auth.endSession(user, id);
  }

  private client(request: Request): ClientInfo {
    const agent = request.headers['user-agent'];
    return { address: clientAddress(request, this.config), userAgent: agent ? agent.slice(0, 512) : null };
  }

  private withCookie(signedIn: SignInResponse, request: Request, response: Response): SignInResponse {
    const maxAge = Math.floor(this.sessions.ttlMs / 1000);
    response.setHeader('Set-Cookie', sessionCookieHeader(signedIn.token, maxAge, secureCookie(request, this.config)));
    return signedIn;
  }
}
