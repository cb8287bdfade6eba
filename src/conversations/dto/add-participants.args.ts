import { ArgsType, Field, ID } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength } from 'class-validator';
import { MAX_PARTICIPANTS } from './create-conversation.input.js';

@ArgsType()
export class AddParticipantsArgs {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  conversationId: string;

  @Field(() => [ID])
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PARTICIPANTS)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  userIds: string[];
}
