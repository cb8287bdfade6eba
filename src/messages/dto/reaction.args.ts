import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsString, MaxLength } from 'class-validator';

@ArgsType()
export class ReactionArgs {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  messageId: string;

  @Field({ description: 'One emoji, such as 👍, 👍🏽 or 👩‍💻.' })
  @IsString()
  @MaxLength(64)
  emoji: string;
}
