import { Field, ID, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { trim } from '../../common/validation/transforms.js';
import { IsSafeText } from '../../common/validation/text.validators.js';

export const MAX_PARTICIPANTS = 1000;
/** Members one call may add (creating or adding): groups grow by invitation, not by bulk. */
export const MAX_ADDED_PER_CALL = 100;

@InputType()
export class CreateConversationInput {
  @Field(() => [ID], {
    description: `The other participants (the caller is always one). Exactly one other and no title: a direct conversation. At most ${MAX_ADDED_PER_CALL} per call and ${MAX_PARTICIPANTS} in all.`,
  })
  @IsArray()
  @ArrayMaxSize(MAX_ADDED_PER_CALL)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  @IsSafeText({ each: true })
  participantIds: string[];

  @Field(() => String, { nullable: true, description: '1–200 characters; groups only.' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @IsSafeText()
  title?: string;
}
