import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const MAX_CHANGES_PAGE = 500;
export const DEFAULT_CHANGES_PAGE = 100;

@ArgsType()
export class ConversationEventsArgs {
  @Field(() => ID, {
    nullable: true,
    description: "Only this conversation; all of the caller's (live only) when omitted.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  conversationId?: string;

  @Field(() => Int, {
    nullable: true,
    description:
      'Resume: first every change after this eventSeq (each message or member once, as it is now), then the live ones, without gap or repeat. Needs conversationId.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  afterEventSeq?: number;
}

@ArgsType()
export class ConversationChangesArgs {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  conversationId: string;

  @Field(() => Int, { description: 'The highest eventSeq the client has applied (0: none).' })
  @IsInt()
  @Min(0)
  afterEventSeq: number;

  @Field(() => Int, {
    nullable: true,
    description: `Page size, 1–${MAX_CHANGES_PAGE} (default ${DEFAULT_CHANGES_PAGE}).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_CHANGES_PAGE)
  first?: number;
}
