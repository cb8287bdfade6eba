/**
 * Search the user's messages (searchMessages): results newest first, the matched words marked
 * (<mark>, from the server's UTF-16 ranges), each a link that opens its conversation.
 */
import { useQuery } from 'urql';
import { describeError } from '../api/errors';
import { SearchMessagesDocument } from '../gql/graphql';
import { useChat } from '../state/chat';
import { conversationName, shortTime } from './format';
import { highlightPieces } from './highlight';
import { requestJump } from './jump';
import { conversationPath, followLink } from './router';

const PAGE_SIZE = 30;

export function MessageSearch({ query, onOpen }: { query: string; onOpen(): void }) {
  const { conversations, me } = useChat();
  const [{ data, fetching, error }] = useQuery({
    query: SearchMessagesDocument,
    variables: { query, first: PAGE_SIZE },
    requestPolicy: 'network-only',
  });
  const results = data?.searchMessages.edges ?? [];

  return (
    <section className="search-results" aria-labelledby="search-results-title" aria-busy={fetching}>
      <h2 id="search-results-title" className="sr-only">
        Messages matching “{query}”
      </h2>
      {error && (
        <p className="error" role="alert">
          {describeError(error)}
        </p>
      )}
      <p className="muted search-results__count" role="status">
        {fetching && !data
          ? 'Searching…'
          : data &&
            (results.length === 0
              ? `No messages match “${query}”.`
              : `${results.length}${data.searchMessages.pageInfo.hasNextPage ? '+' : ''} found`)}
      </p>
      <ul className="conversations__list">
        {results.map(({ node, highlights }) => {
          const conversation = conversations.get(node.conversationId);
          return (
            <li key={node.id}>
              <a
                className="search-result"
                href={conversationPath(node.conversationId)}
                onClick={(event) => {
                  requestJump({
                    conversationId: node.conversationId,
                    messageId: node.id,
                    seq: node.seq,
                  });
                  followLink(event);
                  onOpen();
                }}
              >
                <span className="search-result__where">
                  {conversation ? conversationName(conversation, me.id) : 'Conversation'}
                  <span className="muted"> · {node.sender.displayName}</span>
                </span>
                <time className="conversation-link__time" dateTime={node.createdAt}>
                  {shortTime(node.createdAt)}
                </time>
                <span className="search-result__text">
                  {highlightPieces(node.text, highlights).map((piece, i) =>
                    piece.marked ? <mark key={i}>{piece.text}</mark> : piece.text,
                  )}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
