/**
 * Mentions as written in a message: "@Display Name". The composer offers members while the word
 * before the caret starts with "@"; the message carries the ids (mentionedUserIds) of those
 * still written in its text when sent, and shows their names marked. Pure, unit-tested.
 */
export interface Mentionable {
  id: string;
  displayName: string;
  username: string;
}

/** The "@…" being typed just before the caret: where it starts and what follows the @. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s)@([^\s@]{0,32})$/.exec(text.slice(0, caret));
  return match ? { start: caret - match[2].length - 1, query: match[2] } : null;
}

/** Members whose display name or username starts with the query (case-insensitive). */
export function suggestions<T extends Mentionable>(members: T[], query: string, max = 6): T[] {
  const q = query.toLowerCase();
  return members
    .filter(
      (m) => m.displayName.toLowerCase().startsWith(q) || m.username.toLowerCase().startsWith(q),
    )
    .slice(0, max);
}

/** The text with the "@…" at `start` (up to the caret) replaced by "@Name ", and the new caret. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  name: string,
): { text: string; caret: number } {
  const inserted = `@${name} `;
  return {
    text: text.slice(0, start) + inserted + text.slice(caret),
    caret: start + inserted.length,
  };
}

/** The users picked whose "@Name" is still in the text. */
export function mentionedIn<T extends { displayName: string }>(text: string, picked: T[]): T[] {
  return picked.filter((u) => text.includes(`@${u.displayName}`));
}

export interface MentionPiece {
  text: string;
  userId?: string;
}

/** The text cut at each "@Name" of the mentioned users (longest names first). */
export function mentionPieces(
  text: string,
  mentions: readonly { id: string; displayName: string }[],
): MentionPiece[] {
  if (mentions.length === 0) return [{ text }];
  const byName = new Map(mentions.map((m) => [`@${m.displayName}`, m.id]));
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pieces: MentionPiece[] = [];
  let at = 0;
  for (const match of text.matchAll(new RegExp(escaped.join('|'), 'g'))) {
    if (match.index > at) pieces.push({ text: text.slice(at, match.index) });
    pieces.push({ text: match[0], userId: byName.get(match[0]) });
    at = match.index + match[0].length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  return pieces;
}
