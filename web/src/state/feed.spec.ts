/** The feed's merge rules: every message once, in seq order; sends confirmed by clientMessageId. */
import { describe, expect, it } from 'vitest';
import { feedReducer, initialFeed, mergeMessages, type FeedState, type Message } from './feed';
import { storedMessage } from './message.fixture';

const alice = { id: 'u1', username: 'alice', displayName: 'Alice', avatarUrl: null };

const message = (seq: number, clientMessageId: string | null = null): Message =>
  storedMessage(seq, { clientMessageId, sender: alice });

/** A later state of a message: a change with eventSeq `eventSeq`. */
function changed(m: Message, eventSeq: number, change: Partial<Message>): Message {
  return { ...m, ...change, eventSeq };
}

const seqs = (messages: Message[]) => messages.map((m) => m.seq);

function loaded(...messages: Message[]): FeedState {
  return feedReducer(initialFeed, {
    type: 'loaded',
    page: { messages, startCursor: 'cursor-1', hasPreviousPage: true },
  });
}

describe('mergeMessages', () => {
  it('appends newer messages and puts older or late ones in seq order', () => {
    const held = [message(3), message(4)];
    expect(seqs(mergeMessages(held, [message(5), message(6)]))).toEqual([3, 4, 5, 6]);
    expect(seqs(mergeMessages(held, [message(1), message(2)]))).toEqual([1, 2, 3, 4]);
    expect(seqs(mergeMessages([message(1), message(3)], [message(2)]))).toEqual([1, 2, 3]);
  });

  it('keeps one copy of a message delivered twice (a resume overlapping a send result)', () => {
    const held = [message(1), message(2), message(3)];
    expect(seqs(mergeMessages(held, [message(2), message(3), message(4)]))).toEqual([1, 2, 3, 4]);
    expect(mergeMessages(held, [])).toBe(held);
  });
});

describe('changes by eventSeq', () => {
  it('replaces a message by a later state of it, and never by an earlier or the same one', () => {
    const held = [message(1), message(2)];
    const edited = changed(message(2), 5, { text: 'edited', editedAt: 'now' });
    const once = mergeMessages(held, [edited]);
    expect(once.map((m) => m.text)).toEqual(['text 1', 'edited']);
    // The same change again (a mutation's answer, then the stream), or an older state (a page
    // read before the edit): nothing changes.
    expect(mergeMessages(once, [edited])).toBe(once);
    expect(mergeMessages(once, [message(2)])).toBe(once);
    const deleted = changed(message(2), 6, { text: '', deletedAt: 'now' });
    expect(mergeMessages(once, [deleted])[1]).toMatchObject({ text: '', deletedAt: 'now' });
  });

  it('keeps a change to a message older than those held for when its page comes', () => {
    let state = loaded(message(31), message(32));
    const edited = changed(message(30), 40, { text: 'edited while not loaded' });
    state = feedReducer(state, { type: 'received', message: edited });
    expect(seqs(state.messages)).toEqual([31, 32]);
    // The page was read before the edit: the edit wins.
    state = feedReducer(state, {
      type: 'olderLoaded',
      page: { messages: [message(29), message(30)], startCursor: 'c0', hasPreviousPage: false },
    });
    expect(state.messages.map((m) => m.text)).toEqual([
      'text 29',
      'edited while not loaded',
      'text 31',
      'text 32',
    ]);
  });
});

describe('feedReducer', () => {
  it('shows a send at once and replaces it by the stored message with its clientMessageId', () => {
    let state = feedReducer(loaded(message(1)), {
      type: 'queued',
      pending: { clientMessageId: 'k1', text: 'hi', fileNames: [], status: 'sending' },
    });
    expect(state.pending).toHaveLength(1);
    state = feedReducer(state, { type: 'received', message: message(2, 'k1') });
    expect(state.pending).toEqual([]);
    expect(seqs(state.messages)).toEqual([1, 2]);
    // The same message again (live, after the send's own answer) changes nothing.
    state = feedReducer(state, { type: 'received', message: message(2, 'k1') });
    expect(seqs(state.messages)).toEqual([1, 2]);
  });

  it('marks a failed send for retry, keeping it in place with its clientMessageId', () => {
    let state = feedReducer(loaded(), {
      type: 'queued',
      pending: { clientMessageId: 'k1', text: 'hi', fileNames: [], status: 'sending' },
    });
    state = feedReducer(state, { type: 'sendFailed', clientMessageId: 'k1', error: 'offline' });
    expect(state.pending).toEqual([
      { clientMessageId: 'k1', text: 'hi', fileNames: [], status: 'failed', error: 'offline' },
    ]);
    state = feedReducer(state, { type: 'retrying', clientMessageId: 'k1' });
    expect(state.pending[0]).toMatchObject({ clientMessageId: 'k1', status: 'sending' });
    expect(state.pending[0].error).toBeUndefined();
  });

  it('pages back: older messages go first and the cursor moves to the oldest page', () => {
    let state = loaded(message(31), message(32));
    expect(state).toMatchObject({ status: 'ready', olderCursor: 'cursor-1', hasOlder: true });
    state = feedReducer(state, { type: 'loadingOlder' });
    expect(state.loadingOlder).toBe(true);
    state = feedReducer(state, {
      type: 'olderLoaded',
      page: {
        messages: [message(29), message(30)],
        startCursor: 'cursor-0',
        hasPreviousPage: false,
      },
    });
    expect(seqs(state.messages)).toEqual([29, 30, 31, 32]);
    expect(state).toMatchObject({ olderCursor: 'cursor-0', hasOlder: false, loadingOlder: false });
  });
});
