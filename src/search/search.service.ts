/** Message search: parse the query, read one page with the permission filter, add highlights. */
import { Injectable } from '@nestjs/common';
import { BadUserInputError, NotFoundError } from '../common/errors/domain-error.js';
import { decodeCursor, encodeCursor } from '../common/pagination/cursor.js';
import { DEFAULT_PAGE_SIZE } from '../common/pagination/pagination.args.js';
import { isUuid } from '../common/uuid.js';
import type { Message } from '../messages/message.entity.js';
import type { MessageSearchConnection } from './dto/message-search-connection.type.js';
import type { SearchMessagesArgs } from './dto/search-messages.args.js';
import { highlightsOf } from './highlights.js';
import { parseSearch } from './search-query.js';
import { SearchRepository } from './search.repository.js';

const CURSOR = 'search';

@Injectable()
export class SearchService {
  constructor(private readonly repository: SearchRepository) {}

  async search(userId: string, args: SearchMessagesArgs): Promise<MessageSearchConnection> {
    const limit = args.first ?? DEFAULT_PAGE_SIZE;
    const after = args.after ? decodeAfter(args.after) : null;
    const conversationId = args.conversationId ?? null;
    // Someone else's conversation does not exist for the caller, exactly as an unknown id.
    if (
      conversationId !== null &&
      (!isUuid(conversationId) || !(await this.repository.isMember(conversationId, userId)))
    ) {
      throw new NotFoundError('Conversation');
    }
    const parsed = parseSearch(args.query);
    const rows =
      parsed.searchable && limit > 0
        ? await this.repository.search(parsed, { userId, conversationId, after, limit })
        : [];
    const shown = rows.slice(0, limit);
    const edges = shown.map((node) => ({
      cursor: cursorOf(node),
      node,
      highlights: highlightsOf(node.text, parsed.terms),
    }));
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > limit,
        hasPreviousPage: after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }
}

const cursorOf = (m: Message): string => encodeCursor(CURSOR, m.createdAt.toISOString(), m.id);

function decodeAfter(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = decodeCursor<[string, string]>(CURSOR, cursor, ['date', 'string']);
  if (!isUuid(id)) throw new BadUserInputError('Invalid cursor');
  return { createdAt, id };
}
