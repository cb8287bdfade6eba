import { Field, ID, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { displayName, NO_CONTROL_CHARACTERS } from '../../users/display-name.js';

@InputType()
export class UpdateProfileInput {
  @Field(() => String, { nullable: true, description: '1–64 characters; unchanged when omitted.' })
  @Transform(displayName)
  @IsOptional()
  @IsString()
  @Length(1, 64)
  // Control characters are BAD_USER_INPUT, as in every text but a message.
  @Matches(NO_CONTROL_CHARACTERS, { message: 'displayName must not contain control characters' })
  displayName?: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'An avatar the caller uploaded with POST /me/avatar; null removes the avatar; unchanged when omitted.',
  })
  @IsOptional()
  @IsString()
  avatarUploadId?: string | null;
}
