import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { ReadReceipts } from './read-receipts.js';
import { ReadStateLoader } from './read-state.loader.js';
import { ReadStateRepository } from './read-state.repository.js';
import { ConversationReadStateResolver, ReadStateResolver } from './read-state.resolver.js';
import { ReadStateService } from './read-state.service.js';

/** Read state (unread counts, receipts, muting) over the participants rows. */
@Module({
  imports: [ConversationsModule, MessagesModule],
  providers: [
    ReadStateRepository,
    ReadStateService,
    ReadStateResolver,
    ConversationReadStateResolver,
    ReadStateLoader,
    ReadReceipts,
  ],
})
export class ReadStateModule {}
