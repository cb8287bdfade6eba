/**
 * Deciding what a file is from its bytes (OWASP file upload guidance): the client's Content-Type
 * and file name are never believed. Binary formats by their signatures (file-type, which also
 * looks inside ZIP containers to tell DOCX, XLSX, PPTX and OpenDocument apart); plain text, which
 * has no signature, only when it is valid UTF-8 without control characters and does not look like
 * markup a browser might render (HTML, SVG, XML, script).
 */
import { fileTypeFromStream } from 'file-type';
import type { Readable } from 'node:stream';
import type { InspectedUpload } from './upload-inspector.js';

export const PLAIN_TEXT = 'text/plain';

/** Markup that browsers render or run; refused anywhere in a "text" file's first KiB. */
const MARKUP = ['<!doctype', '<html', '<head', '<body', '<script', '<svg', '<iframe', '<?xml'];

export interface DetectedType {
  /** As file-type reports it (may carry parameters, e.g. `audio/ogg; codecs=opus`). */
  contentType: string;
  /** The usual extension of the type, without a dot. */
  extension: string;
}

/**
 * What the stored bytes are, or undefined when they are neither a known format nor plain text.
 * `open` reads the stored object: file-type reads only as far as it needs (for ZIP-based office
 * files that can be past the first chunk); the stream is destroyed afterwards.
 */
export async function detectContentType(
  open: () => Promise<Readable>,
  inspected: InspectedUpload,
): Promise<DetectedType | undefined> {
  const stream = await open();
  try {
    const detected = await fileTypeFromStream(stream);
    if (detected) return { contentType: detected.mime, extension: detected.ext };
  } finally {
    stream.destroy();
  }
  if (inspected.isPlainText && !looksLikeMarkup(inspected.head)) {
    return { contentType: PLAIN_TEXT, extension: 'txt' };
  }
  return undefined;
}

export function looksLikeMarkup(head: Buffer): boolean {
  const text = head.toString('utf8').toLowerCase();
  return MARKUP.some((tag) => text.includes(tag));
}

/** `type/subtype` in lower case, without parameters. */
export function essenceOf(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

/** Whether the allow list (exact types or `type/*`) admits the content type. */
export function isAllowedType(contentType: string, allowed: readonly string[]): boolean {
  const essence = essenceOf(contentType);
  const family = `${essence.split('/')[0]}/*`;
  return allowed.includes(essence) || allowed.includes(family);
}
