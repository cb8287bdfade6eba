/** The original design's REST API for conversations, over the same service as GraphQL. */
import { Controller, Get, Param, Query } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import { RestPageQuery } from '../common/pagination/rest-page.query.js';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi.js';
import {
  ConversationPage,
  ConversationView,
  toConversationPage,
  toConversationView,
} from './conversation.view.js';
import { ConversationPagesService } from './conversation-pages.service.js';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationPagesService) {}

  @Get()
  @ApiOperation({ summary: "The caller's conversations, most recent activity first" })
  @ApiOkResponse({ type: ConversationPage })
  @ApiErrors(400)
  async list(
    @CurrentUser() user: AuthUser,
    @Query() query: RestPageQuery,
  ): Promise<ConversationPage> {
    return toConversationPage(
      await this.conversations.pageForUser(user.id, query.limit, query.cursor),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'One conversation, with its participants' })
  @ApiOkResponse({ type: ConversationView })
  @ApiErrors(404)
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ConversationView> {
    return toConversationView(await this.conversations.getWithParticipants(id, user.id));
  }
}
