import { Field, ObjectType } from '@nestjs/graphql';
import { User } from '../../users/user.entity.js';

@ObjectType()
export class AuthPayload {
  @Field({ description: 'Send as `Authorization: Bearer <accessToken>`.' })
  accessToken: string;

  @Field(() => User)
  user: User;
}
