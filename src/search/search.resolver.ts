import { Args, Query, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import { MessageSearchConnection } from './dto/message-search-connection.type.js';
import { SearchMessagesArgs } from './dto/search-messages.args.js';
import { SearchService } from './search.service.js';

@Resolver()
export class SearchResolver {
  constructor(private readonly searchService: SearchService) {}

  @Query(() => MessageSearchConnection, {
    description:
      "Messages of the caller's conversations matching the query, newest first, with the matched ranges of their text.",
  })
  searchMessages(
    @CurrentUser() user: AuthUser,
    @Args() args: SearchMessagesArgs,
  ): Promise<MessageSearchConnection> {
    return this.searchService.search(user.id, args);
  }
}
