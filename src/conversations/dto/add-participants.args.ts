import { ArgsType, Field, ID } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength } from 'class-validator';
import { MAX_ADDED_PER_CALL, MAX_PARTICIPANTS } from './create-conversation.input.js';
import { IsSafeText } from '../../common/validation/text.validators.js';

@ArgsType()
export class AddParticipantsArgs {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  @IsSafeText()
  conversationId: string;

  @Field(() => [ID], {
    description: `At most ${MAX_ADDED_PER_CALL} per call; a group has at most ${MAX_PARTICIPANTS} members.`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ADDED_PER_CALL)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  @IsSafeText({ each: true })
  userIds: string[];
}
