/** The GraphQL `Presence` type and its status enum: what clients see of a user's online state. */
import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum PresenceStatus {
  ONLINE = 'ONLINE',
  OFFLINE = 'OFFLINE',
}

registerEnumType(PresenceStatus, { name: 'PresenceStatus' });

@ObjectType({ description: "A user's status, across all of their devices and every instance." })
export class Presence {
  @Field(() => ID)
  userId: string;

  @Field(() => PresenceStatus)
  status: PresenceStatus;

  @Field(() => Date, {
    nullable: true,
    description: 'When the last connection closed; null while ONLINE or when never seen.',
  })
  lastSeenAt: Date | null;
}
