/** The change stream: conversationEvents (push) and conversationChanges (pull, in pages). */
import { Injectable } from '@nestjs/common';
import { BadUserInputError } from '../common/errors/domain-error.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { ChangeStream } from './change.stream.js';
import { ChangesReader } from './changes.reader.js';
import type { ConversationChangeEvent } from './conversation-change.js';
import {
  DEFAULT_CHANGES_PAGE,
  type ConversationChangesArgs,
  type ConversationEventsArgs,
} from './dto/changes.args.js';

export interface ChangesPage {
  events: ConversationChangeEvent[];
  endEventSeq: number;
  hasMore: boolean;
}

@Injectable()
export class ChangesService {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly reader: ChangesReader,
    private readonly stream: ChangeStream,
  ) {}

  events(
    userId: string,
    args: ConversationEventsArgs,
  ): Promise<AsyncIterableIterator<ConversationChangeEvent>> {
    if (args.afterEventSeq != null && args.conversationId == null) {
      throw new BadUserInputError('afterEventSeq needs a conversationId', {
        fields: [{ field: 'conversationId', messages: ['required with afterEventSeq'] }],
      });
    }
    return this.stream.open(
      userId,
      args.conversationId ?? undefined,
      args.afterEventSeq ?? undefined,
    );
  }

  /** One page of what changed after afterEventSeq; NOT_FOUND unless the caller is a member. */
  async changes(userId: string, args: ConversationChangesArgs): Promise<ChangesPage> {
    const conversation = await this.conversations.getForUser(args.conversationId, userId);
    const first = args.first ?? DEFAULT_CHANGES_PAGE;
    const events = await this.reader.changesBetween(
      conversation,
      args.afterEventSeq,
      undefined,
      first + 1,
    );
    const hasMore = events.length > first;
    const page = events.slice(0, first);
    // Without more, the client holds everything up to the counter read (superseded numbers
    // included), so it resumes from there.
    const endEventSeq = hasMore
      ? page[page.length - 1].eventSeq
      : Math.max(args.afterEventSeq, conversation.lastEventSeq);
    return { events: page, endEventSeq, hasMore };
  }
}
