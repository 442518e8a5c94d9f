import { BadRequestException } from '@nestjs/common';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_PATTERN_SOURCE } from '@chatstream/protocol';

/* The rules of usernames and passwords (registration, the operator's command line). */

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 32;
export const USERNAME_PATTERN = new RegExp(USERNAME_PATTERN_SOURCE);
export const PASSWORD_MIN = PASSWORD_MIN_LENGTH;
export const PASSWORD_MAX = PASSWORD_MAX_LENGTH;

export const USERNAME_RULE = `username must be ${USERNAME_MIN}-${USERNAME_MAX} characters of letters, digits, ".", "_" and "-"`;
export const PASSWORD_RULE = `password must be ${PASSWORD_MIN}-${PASSWORD_MAX} characters`;

/** Throws a 400 naming the first broken rule. */
export function checkNewUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) throw new BadRequestException(USERNAME_RULE);
}

export function checkNewPassword(password: string, username: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) throw new BadRequestException(PASSWORD_RULE);
  if (password.toLowerCase() === username.toLowerCase()) throw new BadRequestException('password must not be the username');
}
