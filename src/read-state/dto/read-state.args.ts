import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsBoolean, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { IsSafeText } from '../../common/validation/text.validators.js';

@ArgsType()
export class MarkConversationReadArgs {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  @IsSafeText()
  conversationId: string;

  @Field(() => Int, {
    description:
      'Read up to this seq: a smaller value than the current lastReadSeq changes nothing, a greater one than the last seq stops there.',
  })
  @IsInt()
  @Min(0)
  upToSeq: number;
}

@ArgsType()
export class SetConversationMutedArgs {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  @IsSafeText()
  conversationId: string;

  @Field()
  @IsBoolean()
  muted: boolean;
}

@ArgsType()
export class ReadReceiptsArgs {
  @Field(() => ID, {
    nullable: true,
    description: "Only this conversation; all of the caller's when omitted.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @IsSafeText()
  conversationId?: string;
}
