import {
  Args,
  Context,
  ID,
  Info,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import { ForwardPaginationArgs } from '../common/pagination/pagination.args.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import { User } from '../users/user.entity.js';
import { Conversation } from './conversation.entity.js';
import { ConversationsService } from './conversations.service.js';
import { AddParticipantsArgs } from './dto/add-participants.args.js';
import { ConversationConnection } from './dto/conversation-connection.type.js';
import { CreateConversationInput } from './dto/create-conversation.input.js';
import { MemberArgs, SetRoleArgs } from './dto/member.args.js';
import { UpdateConversationInput } from './dto/update-conversation.input.js';
import { GroupsService } from './groups.service.js';
import { MembersLoader } from './members.loader.js';
import { LISTED_MEMBERS } from './membership.repository.js';
import { Participant } from './participant.entity.js';
import { ParticipantsLoader } from './participants.loader.js';

/** A conversation on a page of `conversations` (member lists capped), not asked for alone. */
function inPage(info: GraphQLResolveInfo): boolean {
  return info.path.prev?.typename === 'ConversationEdge';
}

@Resolver(() => Conversation)
export class ConversationsResolver {
  constructor(
    private readonly conversationsService: ConversationsService,
    private readonly participantsLoader: ParticipantsLoader,
    private readonly membersLoader: MembersLoader,
    private readonly groups: GroupsService,
  ) {}

  @Query(() => ConversationConnection, {
    description: "The caller's conversations, most recent activity first.",
  })
  conversations(
    @CurrentUser() user: AuthUser,
    @Args() args: ForwardPaginationArgs,
  ): Promise<ConversationConnection> {
    return this.conversationsService.listForUser(user.id, args);
  }

  @Query(() => Conversation, { description: 'NOT_FOUND unless the caller is a participant.' })
  conversation(
    @CurrentUser() user: AuthUser,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<Conversation> {
    return this.conversationsService.getForUser(id, user.id);
  }

  @Mutation(() => Conversation)
  createConversation(
    @CurrentUser() user: AuthUser,
    @Args('input') input: CreateConversationInput,
  ): Promise<Conversation> {
    return this.conversationsService.create(user.id, input);
  }

  @Mutation(() => Conversation, { description: 'Groups only; users already in are skipped.' })
  addParticipants(
    @CurrentUser() user: AuthUser,
    @Args() args: AddParticipantsArgs,
  ): Promise<Conversation> {
    return this.conversationsService.addParticipants(user.id, args.conversationId, args.userIds);
  }

  @Mutation(() => Boolean, {
    description: 'Groups only. Afterwards the conversation is NOT_FOUND to the caller.',
  })
  leaveConversation(
    @CurrentUser() user: AuthUser,
    @Args('conversationId', { type: () => ID }) conversationId: string,
  ): Promise<boolean> {
    return this.groups.leave(user.id, conversationId);
  }

  @Mutation(() => Conversation, {
    description: 'Groups: the owner or an admin changes the title or the avatar.',
  })
  updateConversation(
    @CurrentUser() user: AuthUser,
    @Args('input') input: UpdateConversationInput,
  ): Promise<Conversation> {
    return this.groups.update(user.id, input);
  }

  @Mutation(() => Conversation, {
    description: 'Groups: the owner removes anyone, an admin only members.',
  })
  removeParticipant(
    @CurrentUser() user: AuthUser,
    @Args() args: MemberArgs,
  ): Promise<Conversation> {
    return this.groups.remove(user.id, args.conversationId, args.userId);
  }

  @Mutation(() => Conversation, { description: 'Groups: the owner only.' })
  setParticipantRole(
    @CurrentUser() user: AuthUser,
    @Args() args: SetRoleArgs,
  ): Promise<Conversation> {
    return this.groups.setRole(user.id, args.conversationId, args.userId, args.role);
  }

  @ResolveField(() => [Participant], {
    description: `The current members with their roles, in joining order. In \`conversations\` only the first ${LISTED_MEMBERS}; \`conversation(id)\` lists all.`,
  })
  members(
    @Parent() conversation: Conversation,
    @Context() ctx: GraphqlContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Participant[]> {
    return this.membersLoader.load(ctx.loaders, conversation.id, inPage(info));
  }

  @ResolveField(() => [User], {
    description: `The current members, in joining order. In \`conversations\` only the first ${LISTED_MEMBERS}; \`conversation(id)\` lists all.`,
  })
  participants(
    @Parent() conversation: Conversation,
    @Context() ctx: GraphqlContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<User[]> {
    return this.participantsLoader.load(ctx.loaders, conversation.id, inPage(info));
  }

  @ResolveField(() => Int, { description: 'How many current members the conversation has.' })
  participantCount(
    @Parent() conversation: Conversation,
    @Context() ctx: GraphqlContext,
  ): Promise<number> {
    return this.participantsLoader.count(ctx.loaders, conversation.id);
  }
}
