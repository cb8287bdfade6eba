/** Relay paging arguments shared by every connection: first/after forward, last/before back. */
import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { BadUserInputError } from '../errors/domain-error.js';
import { IsSafeText } from '../validation/text.validators.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

@ArgsType()
export class ForwardPaginationArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size, 0–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_PAGE_SIZE)
  first?: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  @IsSafeText()
  after?: string;
}

@ArgsType()
export class PaginationArgs extends ForwardPaginationArgs {
  @Field(() => Int, { nullable: true, description: `The newest N, 0–${MAX_PAGE_SIZE}.` })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_PAGE_SIZE)
  last?: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  @IsSafeText()
  before?: string;
}

export interface PageRequest {
  /** forward: the oldest rows after `after`; backward: the newest rows before `before`. */
  direction: 'forward' | 'backward';
  limit: number;
  after?: string;
  before?: string;
}

/**
 * Resolves which way to page. `first`/`after` page forward; `last`/`before` page back; with
 * neither `first` nor `after`, a page is the newest rows (what a chat screen opens on).
 * `first` and `last` together are refused.
 */
export function toPageRequest(args: Partial<PaginationArgs>): PageRequest {
  if (args.first != null && args.last != null) {
    throw new BadUserInputError('Pass either first or last, not both');
  }
  const forward = args.last == null && (args.first != null || args.after != null);
  return {
    direction: forward ? 'forward' : 'backward',
    limit: (forward ? args.first : args.last) ?? DEFAULT_PAGE_SIZE,
    after: args.after ?? undefined,
    before: args.before ?? undefined,
  };
}
