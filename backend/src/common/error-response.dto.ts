import { ApiProperty } from '@nestjs/swagger';
import type { ErrorResponse } from '@chatstream/protocol';

/** Every 4xx/5xx REST body (Nest's shape), for the OpenAPI document. */
export class ErrorResponseDto implements ErrorResponse {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }) message!: string | string[];
  @ApiProperty({ example: 'Bad Request' }) error!: string;
}
