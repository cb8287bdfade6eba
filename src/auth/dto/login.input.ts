import { Field, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsString, MaxLength } from 'class-validator';
import { trimLowerCase } from '../../common/validation/transforms.js';

@InputType()
export class LoginInput {
  @Field()
  @Transform(trimLowerCase)
  @IsString()
  @MaxLength(32)
  username: string;

  @Field()
  @IsString()
  @MaxLength(128)
  password: string;
}
