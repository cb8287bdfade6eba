import { Field, ObjectType } from '@nestjs/graphql';

/** The users shown per emoji; `count` is always exact. */
export const SHOWN_REACTORS = 25;

@ObjectType({ description: 'One emoji on a message and who reacted with it.' })
export class Reaction {
  @Field()
  emoji: string;
}
