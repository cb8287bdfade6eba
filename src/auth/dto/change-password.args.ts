import { ArgsType, Field } from '@nestjs/graphql';
import { IsString, Length, MaxLength } from 'class-validator';

@ArgsType()
export class ChangePasswordArgs {
  @Field()
  @IsString()
  @MaxLength(128)
  currentPassword: string;

  @Field({ description: '8–128 characters.' })
  @IsString()
  @Length(8, 128)
  newPassword: string;
}
