import { describe, expect, it } from 'vitest';
import { insertMention, mentionAt, mentionPieces, mentionedIn, suggestions } from './mentions';

const bob = { id: 'b', displayName: 'Bob', username: 'bob_1' };
const bobby = { id: 'bb', displayName: 'Bobby Tables', username: 'tables' };
const carol = { id: 'c', displayName: 'Carol', username: 'carol' };

describe('mentions', () => {
  it('finds the "@…" being typed before the caret, only at a word start', () => {
    expect(mentionAt('hi @Bo', 6)).toEqual({ start: 3, query: 'Bo' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('mail@example', 12)).toBeNull();
    expect(mentionAt('hi @Bob there', 13)).toBeNull();
  });

  it('suggests members by display name or username prefix', () => {
    expect(suggestions([bob, bobby, carol], 'bo').map((m) => m.id)).toEqual(['b', 'bb']);
    expect(suggestions([bob, bobby, carol], 'TAB').map((m) => m.id)).toEqual(['bb']);
  });

  it('replaces the "@…" by the name and keeps what follows', () => {
    expect(insertMention('hi @Bo and more', 3, 6, 'Bob')).toEqual({
      text: 'hi @Bob  and more',
      caret: 8,
    });
  });

  it('keeps the mentions still written, and cuts a text at them (longest name first)', () => {
    expect(mentionedIn('ping @Bob', [bob, carol])).toEqual([bob]);
    expect(mentionPieces('@Bobby Tables and @Bob!', [bob, bobby])).toEqual([
      { text: '@Bobby Tables', userId: 'bb' },
      { text: ' and ' },
      { text: '@Bob', userId: 'b' },
      { text: '!' },
    ]);
    expect(mentionPieces('no one', [])).toEqual([{ text: 'no one' }]);
  });
});
