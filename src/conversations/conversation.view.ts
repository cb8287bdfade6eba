/** The JSON shape of a conversation in REST answers. */
import { ApiProperty } from '@nestjs/swagger';
import { toUserView, UserView } from '../users/user.view.js';
import { LISTED_MEMBERS } from './membership.repository.js';
import type {
  ConversationsPage,
  ConversationWithParticipants,
} from './conversation-pages.service.js';

export class ConversationView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true })
  title: string | null;

  @ApiProperty()
  isDirect: boolean;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty({ type: Date, nullable: true })
  lastMessageAt: Date | null;

  @ApiProperty({
    type: [UserView],
    description: `In joining order. In GET /conversations only the first ${LISTED_MEMBERS}.`,
  })
  participants: UserView[];

  @ApiProperty({ description: 'How many current members the conversation has.' })
  participantCount: number;
}

export class ConversationPage {
  @ApiProperty({ type: [ConversationView], description: 'Most recent activity first.' })
  items: ConversationView[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page.' })
  nextCursor: string | null;
}

export function toConversationView({
  conversation,
  participants,
  participantCount,
}: ConversationWithParticipants): ConversationView {
  return {
    id: conversation.id,
    title: conversation.title,
    isDirect: conversation.isDirect,
    createdAt: conversation.createdAt,
    lastMessageAt: conversation.lastMessageAt,
    participants: participants.map(toUserView),
    participantCount,
  };
}

export function toConversationPage(page: ConversationsPage): ConversationPage {
  return { items: page.items.map(toConversationView), nextCursor: page.nextCursor };
}
