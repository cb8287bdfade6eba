/** The GraphQL types of the change stream (see conversation-change.ts for what they show). */
import { Field, ID, Int, InterfaceType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Conversation } from '../../conversations/conversation.entity.js';
import { ConversationRole } from '../../conversations/participant.entity.js';
import { Message } from '../../messages/message.entity.js';
import { User } from '../../users/user.entity.js';
import type { ConversationChangeEvent } from '../conversation-change.js';

export enum ConversationChange {
  MESSAGE_CREATED = 'MESSAGE_CREATED',
  MESSAGE_EDITED = 'MESSAGE_EDITED',
  MESSAGE_DELETED = 'MESSAGE_DELETED',
  REACTIONS_CHANGED = 'REACTIONS_CHANGED',
  MEMBER_JOINED = 'MEMBER_JOINED',
  MEMBER_LEFT = 'MEMBER_LEFT',
  MEMBER_REMOVED = 'MEMBER_REMOVED',
  MEMBER_ROLE_CHANGED = 'MEMBER_ROLE_CHANGED',
  CONVERSATION_UPDATED = 'CONVERSATION_UPDATED',
}
registerEnumType(ConversationChange, { name: 'ConversationChange' });

@InterfaceType('ConversationEvent', {
  description:
    "One change of a conversation. eventSeq numbers a conversation's changes 1, 2, 3… in commit order.",
  resolveType: (event: ConversationChangeEvent) =>
    event.kind === 'message'
      ? MessageEventType
      : event.kind === 'member'
        ? MemberEventType
        : ConversationUpdatedEventType,
})
export abstract class ConversationEventType {
  @Field(() => Int)
  eventSeq: number;

  @Field(() => ID)
  conversationId: string;

  @Field(() => ConversationChange)
  change: ConversationChange;
}

@ObjectType('MessageEvent', {
  implements: () => [ConversationEventType],
  description: 'A message sent, edited, deleted or its reactions changed: its full current state.',
})
export class MessageEventType extends ConversationEventType {
  @Field(() => Message)
  message: Message;
}

@ObjectType('MemberEvent', {
  implements: () => [ConversationEventType],
  description: 'A member joined, left, was removed or changed role.',
})
export class MemberEventType extends ConversationEventType {
  @Field(() => User)
  user: User;

  @Field(() => ConversationRole, {
    nullable: true,
    description: 'After the change; null once gone.',
  })
  role: ConversationRole | null;
}

@ObjectType('ConversationUpdatedEvent', {
  implements: () => [ConversationEventType],
  description: 'The title or avatar changed.',
})
export class ConversationUpdatedEventType extends ConversationEventType {
  @Field(() => Conversation)
  conversation: Conversation;
}

@ObjectType({ description: 'A page of the change stream (the pull form of conversationEvents).' })
export class ConversationChangesPage {
  @Field(() => [ConversationEventType], {
    description: 'Oldest first; each message or member once, in its latest state.',
  })
  events: ConversationChangeEvent[];

  @Field(() => Int, { description: 'Pass it back as afterEventSeq for the next page.' })
  endEventSeq: number;

  @Field({ description: 'Whether more changes follow endEventSeq now.' })
  hasMore: boolean;
}
