import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_NAME_LENGTH, MAX_SEARCH_QUERY_LENGTH, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT } from '@chatstream/protocol';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class SearchQueryDto {
  @ApiProperty({ maxLength: MAX_SEARCH_QUERY_LENGTH, description: 'Words; each matches as a prefix, case and accents aside; quotes and operators are plain text' })
  @IsString({ message: 'q must be a string' })
  q!: string;

  @ApiPropertyOptional({ description: 'Only messages of this room' })
  @IsOptional()
  @IsString({ message: 'room must be a string' })
  @MaxLength(MAX_NAME_LENGTH)
  room?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: SEARCH_MAX_LIMIT, default: SEARCH_DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `limit must be an integer from 1 to ${SEARCH_MAX_LIMIT}` })
  @Min(1, { message: `limit must be an integer from 1 to ${SEARCH_MAX_LIMIT}` })
  @Max(SEARCH_MAX_LIMIT, { message: `limit must be an integer from 1 to ${SEARCH_MAX_LIMIT}` })
  limit?: number;

  @ApiPropertyOptional({ description: 'A message id: results older than it (the next page)' })
  @IsOptional()
  @IsString({ message: 'before must be a message id' })
  @MaxLength(MAX_NAME_LENGTH, { message: 'before must be a message id' })
  before?: string;
}

export class SearchResponseDto {
  @ApiProperty({
    description: 'Newest first: message frames in their current state, each with highlights: [[start, end], …] (UTF-16 offsets of the matched words in content)',
    type: 'array',
    items: { type: 'object' },
  })
  messages!: object[];
}
