import { ArgsType, Field, ID } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength } from 'class-validator';
import { MAX_PARTICIPANTS } from './create-conversation.input.js';
import { IsSafeText } from '../../common/validation/text.validators.js';

@ArgsType()
export class AddParticipantsArgs {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  @IsSafeText()
  conversationId: string;

  @Field(() => [ID])
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PARTICIPANTS)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  @IsSafeText({ each: true })
  userIds: string[];
}
