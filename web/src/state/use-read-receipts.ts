/**
 * How far each member of the open conversation has read (read receipts): the members'
 * `lastReadSeq` from the conversation query, or a later one from the readReceipts stream; the
 * higher of the two, so a refetched conversation older than a receipt changes nothing.
 */
import { useEffect, useMemo, useState } from 'react';
import { ReadReceiptsDocument } from '../gql/graphql';
import { useChat } from './chat';

export type ReadUpTo = ReadonlyMap<string, number>;

export function useReadReceipts(
  conversationId: string,
  members: readonly { user: { id: string }; lastReadSeq: number }[] | undefined,
): ReadUpTo {
  const { api } = useChat();
  const [received, setReceived] = useState<ReadUpTo>(new Map());

  useEffect(
    () =>
      api.live.subscribe(ReadReceiptsDocument, { conversationId }, ({ readReceipts: r }) =>
        setReceived((held) =>
          r.lastReadSeq > (held.get(r.userId) ?? -1)
            ? new Map([...held, [r.userId, r.lastReadSeq]])
            : held,
        ),
      ),
    [api, conversationId],
  );

  return useMemo(() => {
    const readUpTo = new Map(received);
    for (const m of members ?? [])
      readUpTo.set(m.user.id, Math.max(m.lastReadSeq, received.get(m.user.id) ?? 0));
    return readUpTo;
  }, [members, received]);
}
