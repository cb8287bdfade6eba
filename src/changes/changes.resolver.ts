import {
  Args,
  Context,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import type { MemberEvent } from '../conversations/membership-changed.event.js';
import { User } from '../users/user.entity.js';
import { UserLoader } from '../users/user.loader.js';
import { ChangesService, type ChangesPage } from './changes.service.js';
import type { ConversationChangeEvent } from './conversation-change.js';
import { ConversationChangesArgs, ConversationEventsArgs } from './dto/changes.args.js';
import {
  ConversationChangesPage,
  ConversationEventType,
  MemberEventType,
} from './dto/conversation-event.type.js';

@Resolver()
export class ChangesResolver {
  constructor(private readonly changes: ChangesService) {}

  @Query(() => ConversationChangesPage, {
    description:
      'What changed after afterEventSeq, a page at a time (the pull form of conversationEvents): pass endEventSeq back while hasMore.',
  })
  conversationChanges(
    @CurrentUser() user: AuthUser,
    @Args() args: ConversationChangesArgs,
  ): Promise<ChangesPage> {
    return this.changes.changes(user.id, args);
  }

  @Subscription(() => ConversationEventType, {
    description:
      "Every change of one conversation (with afterEventSeq: first what changed after it), or the live changes of all of the caller's.",
    resolve: (event: ConversationChangeEvent) => event,
  })
  conversationEvents(
    @CurrentUser() user: AuthUser,
    @Args() args: ConversationEventsArgs,
  ): Promise<AsyncIterableIterator<ConversationChangeEvent>> {
    return this.changes.events(user.id, args);
  }
}

@Resolver(() => MemberEventType)
export class MemberEventResolver {
  constructor(private readonly userLoader: UserLoader) {}

  @ResolveField(() => User, {
    nullable: true,
    description: 'Who made the change; null for one’s own leaving.',
  })
  actor(@Parent() event: MemberEvent, @Context() ctx: GraphqlContext): Promise<User | null> {
    return event.actorId ? this.userLoader.load(ctx.loaders, event.actorId) : Promise.resolve(null);
  }
}
