import { Field, ID, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

/**
 * Bidi overrides and zero-width characters (Unicode format characters, Cf) are removed: they can
 * make a name look like another. Then trimmed.
 */
const cleanName = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.replace(/\p{Cf}/gu, '').trim() : value;

@InputType()
export class UpdateProfileInput {
  @Field(() => String, { nullable: true, description: '1–64 characters; unchanged when omitted.' })
  @Transform(cleanName)
  @IsOptional()
  @IsString()
  @Length(1, 64)
  // Control characters are BAD_USER_INPUT, as in every text but a message.
  @Matches(/^\P{Cc}*$/u, { message: 'displayName must not contain control characters' })
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
