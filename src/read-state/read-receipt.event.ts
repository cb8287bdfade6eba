/**
 * The `readReceipt` event on Channels.user(id) of every member (the reader included, for their
 * other connections): a member's new lastReadSeq. Plain JSON; encode and decode are the only
 * places that know the wire form.
 */
export interface ReadReceipt {
  conversationId: string;
  userId: string;
  lastReadSeq: number;
}

interface ReadReceiptWire extends ReadReceipt {
  type: 'readReceipt';
}

export function encodeReadReceipt(receipt: ReadReceipt): ReadReceiptWire {
  return { type: 'readReceipt', ...receipt };
}

/** The receipt, or undefined for any other payload on the channel. */
export function decodeReadReceipt(payload: unknown): ReadReceipt | undefined {
  const event = payload as Partial<ReadReceiptWire> | null;
  if (
    event?.type !== 'readReceipt' ||
    typeof event.conversationId !== 'string' ||
    typeof event.userId !== 'string' ||
    typeof event.lastReadSeq !== 'number'
  ) {
    return undefined;
  }
  return {
    conversationId: event.conversationId,
    userId: event.userId,
    lastReadSeq: event.lastReadSeq,
  };
}
