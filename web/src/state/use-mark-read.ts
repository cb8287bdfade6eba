/**
 * Marks the open conversation read: when it opens, and when new messages arrive while it is
 * on screen (the page visible); a hidden tab marks nothing until it is shown again. The list
 * takes the answer (its badge clears) and does not count the open conversation's messages.
 */
import { useEffect, useRef } from 'react';
import { MarkConversationReadDocument } from '../gql/graphql';
import { useChat } from './chat';
import type { FeedState } from './feed';

export function useMarkRead(conversationId: string, feed: FeedState): void {
  const { api, conversations } = useChat();
  const { setReading, applyRead, get } = conversations;
  const newest = feed.messages.at(-1)?.seq ?? 0;
  const marked = useRef(0);

  useEffect(() => {
    setReading(conversationId);
    return () => setReading(null);
  }, [conversationId, setReading]);

  useEffect(() => {
    const mark = () => {
      if (document.visibilityState !== 'visible' || newest <= marked.current) return;
      const held = get(conversationId);
      const before = marked.current;
      marked.current = newest;
      if (held && held.lastReadSeq >= newest && held.unreadCount === 0) return;
      void api.client
        .mutation(MarkConversationReadDocument, { conversationId, upToSeq: newest })
        .toPromise()
        .then((result) => {
          if (result.data) applyRead(result.data.markConversationRead);
          else marked.current = before; // try again with the next message or view
        });
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [api, conversationId, newest, get, applyRead]);
}
