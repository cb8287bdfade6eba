/**
 * A text cut at the matched ranges of a search (UTF-16 offsets, as the server gives them and as
 * JavaScript strings count): the pieces in order, each marked or not. Ranges may come in any
 * order, overlap or run past the end; the pieces always join back to the text.
 */
export interface Piece {
  text: string;
  marked: boolean;
}

export function highlightPieces(
  text: string,
  ranges: readonly { start: number; length: number }[],
): Piece[] {
  const spans = ranges
    .map(({ start, length }) => [Math.max(0, start), Math.min(text.length, start + length)])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const pieces: Piece[] = [];
  let at = 0;
  for (const [start, end] of spans) {
    if (end <= at) continue;
    const last = pieces.at(-1);
    if (start <= at && last?.marked) last.text += text.slice(at, end);
    else {
      if (start > at) pieces.push({ text: text.slice(at, start), marked: false });
      pieces.push({ text: text.slice(start, end), marked: true });
    }
    at = end;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), marked: false });
  return pieces;
}
