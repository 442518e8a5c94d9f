import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthUser } from './auth-user';

export const IS_PUBLIC = 'chatstream:public';

/** A route anyone may call, signed in or not. Every other route needs a session in accounts mode. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The request as the guard leaves it. */
export interface AuthenticatedRequest extends Request {
  auth?: AuthUser;
}

/**
 * The signed-in user of this request (set by `AuthGuard`); undefined in
 * AUTH=open, where nobody is signed in.
 */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthUser | undefined => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().auth;
});
