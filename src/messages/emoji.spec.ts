import { describe, expect, it } from 'vitest';
import { isSingleEmoji } from './emoji.js';

describe('isSingleEmoji', () => {
  it.each(['👍', '👍🏽', '👩‍💻', '👨‍👩‍👧‍👦', '🇫🇷', '❤️', '1️⃣', '🏳️‍🌈'])('accepts %s', (emoji) => {
    expect(isSingleEmoji(emoji)).toBe(true);
  });

  it.each(['', 'a', ':+1:', '👍👍', 'x👍', '👍 ', '1', '\u200d'])('refuses %j', (text) => {
    expect(isSingleEmoji(text)).toBe(false);
  });
});
