import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class UnreadSummary {
  @Field(() => Int, { description: 'Unmuted conversations with unreadCount > 0.' })
  conversationCount: number;

  @Field(() => Int, { description: 'The sum of unreadCount over unmuted conversations.' })
  messageCount: number;

  @Field(() => Int, { description: 'The sum of unreadMentionCount over unmuted conversations.' })
  mentionCount: number;
}

@ObjectType({ description: "A member's new lastReadSeq (only ever greater: keep the highest)." })
export class ReadReceipt {
  @Field(() => ID)
  conversationId: string;

  @Field(() => ID)
  userId: string;

  @Field(() => Int)
  lastReadSeq: number;
}
