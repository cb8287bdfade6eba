/** The original design's REST API for messages: history newest first, and sending. */
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import { RestPageQuery } from '../common/pagination/rest-page.query.js';
import { SendMessageBody } from './dto/send-message.body.js';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi.js';
import { MessagePage, MessageView, toMessagePage, toMessageView } from './message.view.js';
import { MessagesService } from './messages.service.js';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('conversations/:id/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get()
  @ApiOperation({ summary: 'History, newest first; nextCursor pages back in time' })
  @ApiOkResponse({ type: MessagePage })
  @ApiErrors(400, 404)
  async list(
    @CurrentUser() user: AuthUser,
    @Param('id') conversationId: string,
    @Query() query: RestPageQuery,
  ): Promise<MessagePage> {
    return toMessagePage(
      await this.messages.historyNewestFirst(user.id, conversationId, query.limit, query.cursor),
    );
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Send; a repeated clientMessageId returns the first message' })
  @ApiCreatedResponse({ type: MessageView })
  @ApiErrors(400, 404, 429)
  async send(
    @CurrentUser() user: AuthUser,
    @Param('id') conversationId: string,
    @Body() body: SendMessageBody,
  ): Promise<MessageView> {
    return toMessageView(await this.messages.send(user.id, conversationId, body));
  }
}
