/** The JSON shape of a message in REST answers (the same fields as GraphQL's MessageFields). */
import { ApiProperty } from '@nestjs/swagger';
import { AttachmentView, toAttachmentView } from '../attachments/attachment.view.js';
import { toUserView, UserView } from '../users/user.view.js';
import type { MessageWithDetails } from './message-with-details.js';
import type { HistoryPage } from './messages.service.js';

export class MessageView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  conversationId: string;

  @ApiProperty({ description: '1, 2, 3… within the conversation, without gaps.' })
  seq: number;

  @ApiProperty({ description: 'Empty when the message is only attachments.' })
  text: string;

  @ApiProperty({ type: String, nullable: true })
  clientMessageId: string | null;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty({ type: UserView, nullable: true })
  sender: UserView | null;

  @ApiProperty({ type: [AttachmentView] })
  attachments: AttachmentView[];
}

export class MessagePage {
  @ApiProperty({ type: [MessageView], description: 'Newest first.' })
  items: MessageView[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for older messages.',
  })
  nextCursor: string | null;
}

export function toMessageView(message: MessageWithDetails): MessageView {
  return {
    id: message.id,
    conversationId: message.conversationId,
    seq: message.seq,
    text: message.text,
    clientMessageId: message.clientMessageId,
    createdAt: message.createdAt,
    sender: toUserView(message.sender),
    attachments: message.attachments.map(toAttachmentView),
  };
}

export function toMessagePage(page: HistoryPage): MessagePage {
  return { items: page.items.map(toMessageView), nextCursor: page.nextCursor };
}
