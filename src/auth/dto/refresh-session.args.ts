import { ArgsType, Field } from '@nestjs/graphql';
import { IsString } from 'class-validator';

@ArgsType()
export class RefreshSessionArgs {
  @Field()
  // No length rule: anything that is not a token we minted is UNAUTHENTICATED, like garbage.
  @IsString()
  refreshToken: string;
}
