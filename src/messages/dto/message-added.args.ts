import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { IsSafeText } from '../../common/validation/text.validators.js';

@ArgsType()
export class MessageAddedArgs {
  @Field(() => ID, {
    nullable: true,
    description: "Only this conversation; all of the caller's when omitted.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @IsSafeText()
  conversationId?: string;

  @Field(() => Int, {
    nullable: true,
    description:
      'Resume: first every stored message with a greater seq, then the live ones, without gap or repeat. Needs conversationId.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  afterSeq?: number;
}
