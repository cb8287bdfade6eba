import { Field, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsString, MaxLength } from 'class-validator';
import { trimLowerCase } from '../../common/validation/transforms.js';
import { IsSafeText } from '../../common/validation/text.validators.js';

@InputType()
export class LoginInput {
  @Field()
  @Transform(trimLowerCase)
  @IsString()
  @MaxLength(32)
  @IsSafeText()
  username: string;

  @Field()
  @IsString()
  @MaxLength(128)
  @IsSafeText()
  password: string;
}
