import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ForwardPaginationArgs } from '../../common/pagination/pagination.args.js';
import { IsSafeText } from '../../common/validation/text.validators.js';

/** A lone surrogate (half of an astral character) is no text: PostgreSQL cannot store it. */
export const WELL_FORMED = /^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

@ArgsType()
export class SearchMessagesArgs extends ForwardPaginationArgs {
  @Field({
    description:
      'Words (whole words, any order, case- and accent-insensitive), "a phrase", -excluded; text in scripts without spaces matches by substring. 1–200 characters.',
  })
  @IsString()
  @Length(1, 200)
  @IsSafeText()
  @Matches(WELL_FORMED, { message: 'query must be well-formed Unicode text' })
  query: string;

  @Field(() => ID, { nullable: true, description: 'Only this conversation.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @IsSafeText()
  conversationId?: string;
}
