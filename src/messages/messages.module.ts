import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttachmentsModule } from '../attachments/attachments.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { PushModule } from '../push/push.module.js';
import { UsersModule } from '../users/users.module.js';
import { ConversationLastMessageResolver } from './conversation-last-message.resolver.js';
import { LastMessageLoader } from './last-message.loader.js';
import { MessageAttachmentsResolver } from './message-attachments.resolver.js';
import { MessageChangesRepository } from './message-changes.repository.js';
import { MessageChangesResolver } from './message-changes.resolver.js';
import { MessageChangesService } from './message-changes.service.js';
import { MessageDetailsLoader } from './message-details.loader.js';
import { MessageDetailsResolver, ReactionResolver } from './message-details.resolver.js';
import { Message } from './message.entity.js';
import { ReactionRow } from './reaction.entity.js';
import { ReactionsRepository } from './reactions.repository.js';
import { MessageEvents } from './message.events.js';
import { MessageStream } from './message.stream.js';
import { MessageHydrator } from './message.hydrator.js';
import { MessageDetailsRepository } from './message-details.repository.js';
import { MessagesController } from './messages.controller.js';
import { MessagesRepository } from './messages.repository.js';
import { MessagesResolver } from './messages.resolver.js';
import { MessagesService } from './messages.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Message, ReactionRow]),
    ConversationsModule,
    UsersModule,
    AttachmentsModule,
    PushModule,
  ],
  controllers: [MessagesController],
  providers: [
    MessagesRepository,
    MessagesService,
    MessagesResolver,
    MessageEvents,
    MessageStream,
    MessageHydrator,
    MessageDetailsRepository,
    LastMessageLoader,
    ConversationLastMessageResolver,
    MessageAttachmentsResolver,
    MessageDetailsLoader,
    MessageDetailsResolver,
    ReactionResolver,
    ReactionsRepository,
    MessageChangesRepository,
    MessageChangesService,
    MessageChangesResolver,
  ],
  exports: [MessageEvents, MessagesRepository, MessageHydrator],
})
export class MessagesModule {}
