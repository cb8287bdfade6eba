/**
 * A conversation's feed: the newest page, older pages on demand (`last`/`before`), and every
 * change after it through the conversation's change stream (conversationEvents), from the
 * conversation's `lastEventSeq` read before the page: new messages, edits, deletions,
 * reactions, and the member and title changes the view refetches for. After a reconnect the
 * subscription restarts from the highest eventSeq the stream delivered, so the server sends
 * exactly what changed meanwhile, each message once in its latest state: nothing lost, nothing
 * twice. Sends show at once and confirm by clientMessageId; a failed one keeps its
 * clientMessageId, so its retry cannot make a second message.
 */
import type { CombinedError } from '@urql/core';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { describeError } from '../api/errors';
import { uploadFile } from '../api/files';
import { newClientId } from '../api/ids';
import {
  AddReactionDocument,
  ConversationDocument,
  ConversationEventsDocument,
  DeleteMessageDocument,
  EditMessageDocument,
  MessagesDocument,
  RemoveReactionDocument,
  SendMessageDocument,
  type ConversationEventFieldsFragment,
  type MessagesQuery,
} from '../gql/graphql';
import { useChat } from './chat';
import {
  feedReducer,
  initialFeed,
  type FeedState,
  type Message,
  type Page,
  type Quote,
} from './feed';

const PAGE_SIZE = 30;

interface Outgoing {
  text: string;
  files: File[];
  replyToMessageId?: string;
  mentionedUserIds?: string[];
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

export function quoteOf(message: Message): Quote {
  const { id, seq, text, deletedAt, sender } = message;
  return { id, seq, text, deletedAt, sender: { id: sender.id, displayName: sender.displayName } };
}

/** A mutation's answer: the message, or why not. */
export type Outcome = { ok: true } | { ok: false; error: string };

export interface Feed extends FeedState {
  conversationId: string;
  loadOlder(): void;
  send(text: string, files: File[], replyTo?: Message, mentionedUserIds?: string[]): void;
  retry(clientMessageId: string): void;
  edit(messageId: string, text: string): Promise<Outcome>;
  remove(messageId: string): Promise<Outcome>;
  react(messageId: string, emoji: string, on: boolean): Promise<Outcome>;
}

/** `onOtherChange`: a member or the conversation's title changed (the view refetches it). */
export function useFeed(
  conversationId: string,
  onOtherChange: (event: ConversationEventFieldsFragment) => void,
): Feed {
  const { api } = useChat();
  const [state, dispatch] = useReducer(feedReducer, initialFeed);
  const outgoing = useRef(new Map<string, Outgoing>());
  const older = useRef({ cursor: null as string | null, busy: false, hasOlder: false });
  const otherChange = useRef(onOtherChange);
  useEffect(() => {
    otherChange.current = onOtherChange;
  });

  useEffect(() => {
    let active = true;
    // The highest eventSeq the ordered stream has delivered (or the conversation's lastEventSeq
    // read before the first page). Mutation answers do not count: one of them may overtake
    // someone else's change.
    let streamEventSeq = 0;
    let stop: (() => void) | undefined;
    const follow = () => {
      stop?.();
      stop = api.live.subscribe(
        ConversationEventsDocument,
        { conversationId, afterEventSeq: streamEventSeq },
        ({ conversationEvents: event }) => {
          streamEventSeq = Math.max(streamEventSeq, event.eventSeq);
          if (event.__typename === 'MessageEvent')
            dispatch({ type: 'received', message: event.message });
          else otherChange.current(event);
        },
      );
    };
    const load = async () => {
      // First where the change stream stands, then the page: whatever changes between the two
      // comes again from the stream, and applies by eventSeq (at most once).
      const position = await api.client
        .query(ConversationDocument, { id: conversationId }, { requestPolicy: 'network-only' })
        .toPromise();
      if (!active) return;
      const result = position.data
        ? await api.client
            .query(
              MessagesDocument,
              { conversationId, last: PAGE_SIZE },
              { requestPolicy: 'network-only' },
            )
            .toPromise()
        : position;
      if (!active) return;
      if (!position.data || !result.data || !('messages' in result.data)) {
        const error = result.error ? describeError(result.error) : 'Could not load messages';
        dispatch({ type: 'loadFailed', error });
        return;
      }
      const page = toPage(result.data);
      streamEventSeq = position.data.conversation.lastEventSeq;
      older.current = { cursor: page.startCursor, busy: false, hasOlder: page.hasPreviousPage };
      dispatch({ type: 'loaded', page });
      follow();
    };
    void load();
    // Runs before graphql-ws would re-send the old subscription (with its first afterEventSeq).
    // A first page that never came (offline at the start) is fetched now.
    const stopReconnect = api.live.onReconnect(() => (stop ? follow() : void load()));
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
            replyToMessageId: message.replyToMessageId,
            mentionedUserIds: message.mentionedUserIds,
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
    (text: string, files: File[], replyTo?: Message, mentionedUserIds?: string[]) => {
      const clientMessageId = newClientId();
      const replyToMessageId = replyTo?.id;
      outgoing.current.set(clientMessageId, { text, files, replyToMessageId, mentionedUserIds });
      dispatch({
        type: 'queued',
        pending: {
          clientMessageId,
          text,
          fileNames: files.map((f) => f.name),
          replyTo: replyTo && quoteOf(replyTo),
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

  // Edits, deletions and reactions apply their answer at once; the stream brings the same state
  // (same eventSeq) again, which changes nothing.
  const applied = useCallback((message: Message | undefined, error?: CombinedError): Outcome => {
    if (message) {
      dispatch({ type: 'received', message });
      return { ok: true };
    }
    return { ok: false, error: error ? describeError(error) : 'Failed' };
  }, []);

  const edit = useCallback(
    async (messageId: string, text: string) => {
      const input = { messageId, text };
      const result = await api.client.mutation(EditMessageDocument, { input }).toPromise();
      return applied(result.data?.editMessage, result.error);
    },
    [api, applied],
  );

  const remove = useCallback(
    async (messageId: string) => {
      const result = await api.client.mutation(DeleteMessageDocument, { messageId }).toPromise();
      return applied(result.data?.deleteMessage, result.error);
    },
    [api, applied],
  );

  const react = useCallback(
    async (messageId: string, emoji: string, on: boolean) => {
      const variables = { messageId, emoji };
      if (on) {
        const result = await api.client.mutation(AddReactionDocument, variables).toPromise();
        return applied(result.data?.addReaction, result.error);
      }
      const result = await api.client.mutation(RemoveReactionDocument, variables).toPromise();
      return applied(result.data?.removeReaction, result.error);
    },
    [api, applied],
  );

  return { ...state, conversationId, loadOlder, send, retry, edit, remove, react };
}
