import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Session', { description: 'A signed-in device: one login, until it ends.' })
export class SessionView {
  @Field(() => ID)
  id: string;

  @Field()
  createdAt: Date;

  @Field({ description: 'The last login or refresh (access tokens are checked without a trace).' })
  lastUsedAt: Date;

  @Field({ description: 'When it ends unless refreshed before.' })
  expiresAt: Date;

  @Field(() => String, { nullable: true, description: 'The User-Agent it logged in with.' })
  userAgent: string | null;

  @Field({ description: 'The session of the token this request carries.' })
  current: boolean;
}
