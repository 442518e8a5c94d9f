import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Clock, SystemClock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { Accounts } from './accounts';
import { AuthConfigController, AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { PasswordHasher } from './passwords';
import { SessionsService } from './sessions.service';
import { WsAuthenticator } from './ws-authenticator';

/**
 * Accounts, sessions and the guard every REST route passes. The account
 * routes exist in AUTH=accounts only; `GET /api/auth/config` in both modes.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AuthModule,
      imports: [UsersModule],
      controllers: config.auth === 'accounts' ? [AuthConfigController, AuthController] : [AuthConfigController],
      providers: [
        { provide: Clock, useClass: SystemClock },
        PasswordHasher,
        Accounts,
        SessionsService,
        AuthService,
        WsAuthenticator,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [SessionsService, WsAuthenticator, Clock],
    };
  }
}
