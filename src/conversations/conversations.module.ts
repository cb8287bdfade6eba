import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { Conversation } from './conversation.entity.js';
import { ConversationPagesService } from './conversation-pages.service.js';
import { ConversationsController } from './conversations.controller.js';
import { ConversationsRepository } from './conversations.repository.js';
import { ConversationsResolver } from './conversations.resolver.js';
import { ConversationsService } from './conversations.service.js';
import { GroupChangesRepository } from './group-changes.repository.js';
import { GroupsService } from './groups.service.js';
import { MemberAnnouncer } from './member-announcer.js';
import { MemberResolver } from './member.resolver.js';
import { MembersLoader } from './members.loader.js';
import { MembershipEvents } from './membership.events.js';
import { MembershipRepository } from './membership.repository.js';
import { Participant } from './participant.entity.js';
import { ParticipantsLoader } from './participants.loader.js';

@Module({
  imports: [TypeOrmModule.forFeature([Conversation, Participant]), UsersModule],
  controllers: [ConversationsController],
  providers: [
    ConversationsRepository,
    ConversationsService,
    ConversationPagesService,
    ConversationsResolver,
    ParticipantsLoader,
    MembersLoader,
    MemberResolver,
    MemberAnnouncer,
    GroupChangesRepository,
    GroupsService,
    MembershipRepository,
    MembershipEvents,
  ],
  // Presence follows contactsOf and the membership events; other modules compose
  // membership.sql.ts into their own statements.
  exports: [ConversationsService, MembershipRepository, MembershipEvents],
})
export class ConversationsModule {}
