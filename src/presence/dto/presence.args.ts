/** Arguments of the `presence(userIds)` query: at most MAX_PRESENCE_IDS ids per call. */
import { ArgsType, Field, ID } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';
import { IsSafeText } from '../../common/validation/text.validators.js';

export const MAX_PRESENCE_IDS = 500;

@ArgsType()
export class PresenceArgs {
  @Field(() => [ID], { description: `At most ${MAX_PRESENCE_IDS} ids; answers in the same order.` })
  @IsArray()
  @ArrayMaxSize(MAX_PRESENCE_IDS)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  @IsSafeText({ each: true })
  userIds: string[];
}
