import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { validateSync, type ValidationError } from 'class-validator';

type FrameClass = new () => object;

/**
 * Checks a socket frame against its class-validator DTO. Nest's
 * `ValidationPipe` does the same with a class-transformer round trip on
 * either side, which cost more than the rest of a message's handling; a
 * frame is flat JSON, so copying it onto a DTO instance is all the transform
 * it needs. Unknown fields are dropped (whitelist), the first broken rule
 * becomes the error frame's text. Only the listed DTOs are checked: the
 * socket parameter and the invalid-frame reason pass through.
 */
export class FrameValidationPipe implements PipeTransform {
  private readonly frames: ReadonlySet<unknown>;

  constructor(frames: FrameClass[]) {
    this.frames = new Set(frames);
  }

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const Frame = metadata.metatype as FrameClass | undefined;
    if (!Frame || !this.frames.has(Frame)) return value;
    const dto = new Frame() as Record<string, unknown>;
    // Copied key by key: Object.assign would run the `__proto__` setter (a frame could swap the DTO's prototype) and
    // copy a `constructor` field over the one class-validator reads its rules from.
    for (const key in value as Record<string, unknown>) if (!NOT_FIELDS.has(key)) dto[key] = (value as Record<string, unknown>)[key];
    const errors = validateSync(dto, { whitelist: true });
    if (errors.length > 0) throw firstProblem(errors);
    return dto;
  }
}

/** Keys a parsed frame may hold that are never DTO fields and must not be assigned onto one. */
const NOT_FIELDS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function firstProblem(errors: ValidationError[]): WsException {
  const constraints = errors[0]?.constraints ?? {};
  return new WsException(Object.values(constraints)[0] ?? 'bad frame');
}
