import { isSafeContent, isSafeName, unsafeContentMessage, unsafeNameMessage } from '@chatstream/protocol';
import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { ValidateBy, type ValidationOptions } from 'class-validator';

/*
 * The contract's character rules as class-validator decorators, for every
 * DTO (REST bodies and socket frames alike). A value that is not a string
 * passes: the field's @IsString reports it.
 */

/** A user id, username, room id or room name: no control or bidirectional characters, no unpaired surrogates. */
export function IsSafeName(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSafeName',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || isSafeName(value),
        defaultMessage: (args) => unsafeNameMessage(args?.property ?? 'value'),
      },
    },
    options,
  );
}

/** Message content (or a description): line breaks and tabs allowed, no other control character, no unpaired surrogate. */
export function IsSafeContent(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSafeContent',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || isSafeContent(value),
        defaultMessage: (args) => unsafeContentMessage(args?.property ?? 'value'),
      },
    },
    options,
  );
}

/** A path parameter that names something (a room id): refused with 400 when it breaks the character rule. */
@Injectable()
export class SafeNamePipe implements PipeTransform<string, string> {
  constructor(private readonly field: string) {}

  transform(value: string): string {
    if (!isSafeName(value)) throw new BadRequestException(unsafeNameMessage(this.field));
    return value;
  }
}
