import {
  Args,
  Context,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import { User } from '../users/user.entity.js';
import { UserLoader } from '../users/user.loader.js';
import { MessageAddedArgs } from './dto/message-added.args.js';
import { MessageConnection } from './dto/message-connection.type.js';
import { MessagesArgs } from './dto/messages.args.js';
import { SendMessageInput } from './dto/send-message.input.js';
import { Message } from './message.entity.js';
import { hasSender } from './message-with-details.js';
import { MessagesService } from './messages.service.js';

@Resolver(() => Message)
export class MessagesResolver {
  constructor(
    private readonly messagesService: MessagesService,
    private readonly userLoader: UserLoader,
  ) {}

  @Query(() => MessageConnection, {
    description:
      'History, oldest to newest. `last`/`before` page back, `first`/`after` (or `afterSeq`) forward; with neither `first` nor `after`, the newest page.',
  })
  messages(@CurrentUser() user: AuthUser, @Args() args: MessagesArgs): Promise<MessageConnection> {
    return this.messagesService.history(user.id, args);
  }

  @Mutation(() => Message, { description: 'Idempotent per clientMessageId.' })
  sendMessage(
    @CurrentUser() user: AuthUser,
    @Args('input') input: SendMessageInput,
  ): Promise<Message> {
    return this.messagesService.send(user.id, input.conversationId, input);
  }

  @Subscription(() => Message, {
    description: 'New messages. With afterSeq, stored ones first (resume after a disconnect).',
    resolve: (message: Message) => message,
  })
  messageAdded(
    @CurrentUser() user: AuthUser,
    @Args() args: MessageAddedArgs,
  ): Promise<AsyncIterableIterator<Message>> {
    return this.messagesService.stream(user.id, args);
  }

  @ResolveField(() => User)
  async sender(@Parent() message: Message, @Context() ctx: GraphqlContext): Promise<User> {
    // Events, fresh sends and replays arrive with their sender; history pages load it in a batch.
    if (hasSender(message)) return message.sender;
    return (await this.userLoader.load(ctx.loaders, message.senderId))!;
  }
}
