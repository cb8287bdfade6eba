import { ArgsType, Field } from '@nestjs/graphql';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { ForwardPaginationArgs } from '../../common/pagination/pagination.args.js';
import { IsSafeText } from '../../common/validation/text.validators.js';

@ArgsType()
export class UsersArgs extends ForwardPaginationArgs {
  @Field(() => String, { nullable: true, description: 'Prefix of a username or display name.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @IsSafeText()
  search?: string;
}
