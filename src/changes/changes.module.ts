/**
 * The ordered change stream of conversations (conversationEvents, conversationChanges), built on
 * what messages/ and conversations/ store and publish; neither of them depends on this.
 */
import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { UsersModule } from '../users/users.module.js';
import { ChangeStream } from './change.stream.js';
import { ChangesReader } from './changes.reader.js';
import { ChangesRepository } from './changes.repository.js';
import { ChangesResolver, MemberEventResolver } from './changes.resolver.js';
import { ChangesService } from './changes.service.js';

@Module({
  imports: [ConversationsModule, MessagesModule, UsersModule],
  providers: [
    ChangesReader,
    ChangesRepository,
    ChangeStream,
    ChangesService,
    ChangesResolver,
    MemberEventResolver,
  ],
})
export class ChangesModule {}
