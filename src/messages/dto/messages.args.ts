import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { PaginationArgs } from '../../common/pagination/pagination.args.js';
import { IsSafeText } from '../../common/validation/text.validators.js';

@ArgsType()
export class MessagesArgs extends PaginationArgs {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  @IsSafeText()
  conversationId: string;

  @Field(() => Int, {
    nullable: true,
    description:
      'Page forward from this seq (exclusive): the same as `after` a cursor of that message.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  afterSeq?: number;
}
