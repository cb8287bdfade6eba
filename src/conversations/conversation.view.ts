/** The JSON shape of a conversation in REST answers. */
import { toUserView, type UserView } from '../users/user.view.js';
import type { User } from '../users/user.entity.js';
import type { Conversation } from './conversation.entity.js';

export interface ConversationView {
  id: string;
  title: string | null;
  isDirect: boolean;
  createdAt: Date;
  lastMessageAt: Date | null;
  participants: UserView[];
}

export function toConversationView(
  conversation: Conversation,
  participants: User[],
): ConversationView {
  return {
    id: conversation.id,
    title: conversation.title,
    isDirect: conversation.isDirect,
    createdAt: conversation.createdAt,
    lastMessageAt: conversation.lastMessageAt,
    participants: participants.map(toUserView),
  };
}
