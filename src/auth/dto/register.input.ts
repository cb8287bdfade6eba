import { Field, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { trimLowerCase } from '../../common/validation/transforms.js';
import { displayName, NO_CONTROL_CHARACTERS } from '../../users/display-name.js';

@InputType()
export class RegisterInput {
  @Field({ description: '3–32 characters of a–z, 0–9, "_" and "."; case-insensitive.' })
  // Usernames are case-insensitive: kept lower-cased.
  @Transform(trimLowerCase)
  @IsString()
  @Matches(/^[a-z0-9_.]{3,32}$/, {
    message: 'username must be 3–32 characters of a–z, 0–9, "_" and "."',
  })
  username: string;

  @Field({ description: '8–128 characters.' })
  @IsString()
  @Length(8, 128)
  password: string;

  @Field(() => String, {
    nullable: true,
    description: '1–64 characters; the username when omitted.',
  })
  // Format characters removed, as in updateProfile.
  @Transform(displayName)
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'displayName must not contain control characters' })
  displayName?: string;
}
