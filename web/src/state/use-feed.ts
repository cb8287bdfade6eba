/**
 * A conversation's feed: the newest page, older pages on demand (`last`/`before`), then every
 * later message live through ResumeMessages from the highest seq received in order. After a
 * reconnect the subscription restarts from that seq, so the server sends exactly what was
 * missed: nothing lost, nothing twice. Sends show at once and confirm by clientMessageId; a
 * failed one keeps its clientMessageId, so its retry cannot make a second message.
 */
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { describeError } from '../api/errors';
import { uploadFile } from '../api/files';
import { newClientId } from '../api/ids';
import {
  MessagesDocument,
  ResumeMessagesDocument,
  SendMessageDocument,
  type MessagesQuery,
} from '../gql/graphql';
import { useChat } from './chat';
import { feedReducer, initialFeed, type FeedState, type Page } from './feed';

const PAGE_SIZE = 30;

interface Outgoing {
  text: string;
  files: File[];
  /** Set once the files are uploaded, so a retry sends without uploading them again. */
  attachmentIds?: string[];
}

function toPage(data: MessagesQuery): Page {
  const { edges, pageInfo } = data.messages;
  return {
    messages: edges.map((e) => e.node),
    startCursor: pageInfo.startCursor,
    hasPreviousPage: pageInfo.hasPreviousPage,
  };
}

export interface Feed extends FeedState {
  loadOlder(): void;
  send(text: string, files: File[]): void;
  retry(clientMessageId: string): void;
}

export function useFeed(conversationId: string): Feed {
  const { api } = useChat();
  const [state, dispatch] = useReducer(feedReducer, initialFeed);
  const outgoing = useRef(new Map<string, Outgoing>());
  const older = useRef({ cursor: null as string | null, busy: false, hasOlder: false });

  useEffect(() => {
    let active = true;
    // The highest seq the ordered stream (first page, then the subscription) has delivered. Sent
    // messages' own results do not count: one of them may overtake someone else's message.
    let streamSeq = 0;
    let stop: (() => void) | undefined;
    const follow = () => {
      stop?.();
      stop = api.live.subscribe(
        ResumeMessagesDocument,
        { conversationId, afterSeq: streamSeq },
        ({ messageAdded: message }) => {
          streamSeq = Math.max(streamSeq, message.seq);
          dispatch({ type: 'received', message });
        },
      );
    };
    const load = () =>
      void api.client
        .query(
          MessagesDocument,
          { conversationId, last: PAGE_SIZE },
          { requestPolicy: 'network-only' },
        )
        .toPromise()
        .then((result) => {
          if (!active) return;
          if (!result.data) {
            const error = result.error ? describeError(result.error) : 'Could not load messages';
            dispatch({ type: 'loadFailed', error });
            return;
          }
          const page = toPage(result.data);
          streamSeq = page.messages.at(-1)?.seq ?? 0;
          older.current = { cursor: page.startCursor, busy: false, hasOlder: page.hasPreviousPage };
          dispatch({ type: 'loaded', page });
          follow();
        });
    load();
    // Runs before graphql-ws would re-send the old subscription (with its first afterSeq). A
    // first page that never came (offline at the start) is fetched now.
    const stopReconnect = api.live.onReconnect(() => (stop ? follow() : load()));
    return () => {
      active = false;
      stop?.();
      stopReconnect();
    };
  }, [api, conversationId]);

  const loadOlder = useCallback(() => {
    const { cursor, busy, hasOlder } = older.current;
    if (busy || !hasOlder || !cursor) return;
    older.current.busy = true;
    dispatch({ type: 'loadingOlder' });
    void api.client
      .query(
        MessagesDocument,
        { conversationId, last: PAGE_SIZE, before: cursor },
        { requestPolicy: 'network-only' },
      )
      .toPromise()
      .then((result) => {
        if (!result.data) {
          older.current.busy = false;
          dispatch({ type: 'olderFailed' });
          return;
        }
        const page = toPage(result.data);
        older.current = {
          cursor: page.startCursor ?? cursor,
          busy: false,
          hasOlder: page.hasPreviousPage,
        };
        dispatch({ type: 'olderLoaded', page });
      });
  }, [api, conversationId]);

  const deliver = useCallback(
    async (clientMessageId: string) => {
      const message = outgoing.current.get(clientMessageId);
      if (!message) return;
      try {
        message.attachmentIds ??= await Promise.all(
          message.files.map(async (file) => (await uploadFile(conversationId, file)).id),
        );
      } catch (error) {
        const reason =
          error instanceof TypeError
            ? 'No connection to the server'
            : String((error as Error).message);
        dispatch({ type: 'sendFailed', clientMessageId, error: `Upload failed: ${reason}` });
        return;
      }
      const result = await api.client
        .mutation(SendMessageDocument, {
          input: {
            conversationId,
            clientMessageId,
            text: message.text,
            attachmentIds: message.attachmentIds.length > 0 ? message.attachmentIds : undefined,
          },
        })
        .toPromise();
      if (result.data) {
        outgoing.current.delete(clientMessageId);
        dispatch({ type: 'received', message: result.data.sendMessage });
      } else {
        const error = result.error ? describeError(result.error) : 'Not sent';
        dispatch({ type: 'sendFailed', clientMessageId, error });
      }
    },
    [api, conversationId],
  );

  const send = useCallback(
    (text: string, files: File[]) => {
      const clientMessageId = newClientId();
      outgoing.current.set(clientMessageId, { text, files });
      dispatch({
        type: 'queued',
        pending: {
          clientMessageId,
          text,
          fileNames: files.map((f) => f.name),
          status: 'sending',
        },
      });
      void deliver(clientMessageId);
    },
    [deliver],
  );

  const retry = useCallback(
    (clientMessageId: string) => {
      dispatch({ type: 'retrying', clientMessageId });
      void deliver(clientMessageId);
    },
    [deliver],
  );

  return { ...state, loadOlder, send, retry };
}
