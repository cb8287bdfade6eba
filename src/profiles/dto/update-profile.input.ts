import { Field, ID, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length } from 'class-validator';
import { cleanDisplayName, IsSafeText } from '../../common/validation/text.validators.js';

@InputType()
export class UpdateProfileInput {
  @Field(() => String, { nullable: true, description: '1–64 characters; unchanged when omitted.' })
  @Transform(cleanDisplayName)
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @IsSafeText()
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
