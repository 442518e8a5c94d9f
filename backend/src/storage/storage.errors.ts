import { ConflictException, HttpException, ServiceUnavailableException } from '@nestjs/common';
import { describe } from './database';

/**
 * The database could not do what was asked. An `HttpException` (503), so a
 * REST request answers 503 and a frame gets an error frame with the reason.
 */
export class StorageUnavailableError extends ServiceUnavailableException {
  constructor(cause: unknown) {
    super(`storage unavailable: ${describe(cause)}`);
  }
}

/** A unique key taken, as both dialects report it. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Maps a driver error to what the caller should see: a 409 for a taken key, otherwise a 503. */
export function storageError(error: unknown, conflict?: string): HttpException {
  if (error instanceof HttpException) return error;
  if (conflict && isUniqueViolation(error)) return new ConflictException(conflict);
  return new StorageUnavailableError(error);
}
