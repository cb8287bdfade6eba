/**
 * One emoji: a single Unicode emoji sequence (👍, 👍🏽, 👩‍💻, 🇫🇷, 1️⃣…), as emoji-regex (kept in
 * step with each Unicode Emoji release) matches them, and nothing else around it.
 */
import emojiRegex from 'emoji-regex';

const EMOJI = emojiRegex();

export function isSingleEmoji(value: string): boolean {
  const matches = value.match(EMOJI);
  return matches !== null && matches.length === 1 && matches[0] === value;
}
