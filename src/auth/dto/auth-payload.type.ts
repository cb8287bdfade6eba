import { Field, ObjectType } from '@nestjs/graphql';
import { User } from '../../users/user.entity.js';

@ObjectType()
export class AuthPayload {
  @Field({ description: 'Send as `Authorization: Bearer <accessToken>`.' })
  accessToken: string;

  @Field({ description: 'When the access token stops working: refresh a little before.' })
  accessTokenExpiresAt: Date;

  @Field({
    description:
      'Pass to refreshSession for the next pair; it works once. Keep it as safely as a password.',
  })
  refreshToken: string;

  @Field(() => User)
  user: User;
}
