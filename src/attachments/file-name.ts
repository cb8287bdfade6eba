/**
 * The displayed name of an upload. It is only ever shown and offered as the download name, never
 * used as a storage path, but it is still cleaned: no path parts, no control or bidirectional
 * override characters (which can disguise "txt.exe" as "exe.txt"), at most 255 bytes of UTF-8,
 * and an extension that agrees with what the bytes are (a PNG named "page.html" becomes
 * "page.html.png", so that opening the download cannot run it as something else).
 */

export const MAX_FILE_NAME_BYTES = 255;
export const FALLBACK_FILE_NAME = 'file';

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

/** Extensions that stay when the bytes are plain text (anything else gets ".txt" added). */
const TEXT_EXTENSIONS = new Set(['txt', 'text', 'md', 'markdown', 'csv', 'tsv', 'log', 'json']);

/** Other extensions commonly used for a type file-type names by one extension. */
const ALIASES: Record<string, string[]> = {
  jpg: ['jpeg', 'jpe', 'jfif'],
  tif: ['tiff'],
  mp4: ['m4v', 'mp4v'],
  m4a: ['mp4', 'aac'],
  mov: ['qt'],
  mkv: ['mka'],
  ogg: ['oga', 'ogv', 'opus'],
  opus: ['ogg'],
  heic: ['heif'],
  '3gp': ['3gpp'],
};

/** Basename only, unsafe characters removed, NFC, at most 255 bytes; "file" if nothing is left. */
export function sanitizeFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = base.normalize('NFC').replace(UNSAFE, '').trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return FALLBACK_FILE_NAME;
  return truncateKeepingExtension(cleaned, MAX_FILE_NAME_BYTES);
}

/** The sanitised name with `extension` appended unless its own extension already fits. */
export function withFittingExtension(name: string, extension: string): string {
  const own = extensionOf(name);
  const fitting =
    extension === 'txt'
      ? TEXT_EXTENSIONS
      : new Set([extension, ...(ALIASES[extension] ?? [])].map((e) => e.toLowerCase()));
  if (own !== undefined && fitting.has(own)) return name;
  const suffix = `.${extension}`;
  return truncateKeepingExtension(name, MAX_FILE_NAME_BYTES - byteLength(suffix)) + suffix;
}

/**
 * Content-Disposition for a download (RFC 6266): always `attachment`, so a browser saves instead
 * of rendering; the exact name as RFC 5987 `filename*`, and an ASCII look-alike as `filename` for
 * clients that do not read that.
 */
export function attachmentDisposition(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/["\\%]/g, '_')
    .trim();
  const fallback = ascii === '' || ascii === '.' || ascii === '..' ? FALLBACK_FILE_NAME : ascii;
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

function encodeRfc5987(value: string): string {
  // encodeURIComponent leaves ' ( ) * ! unescaped, which attr-char (RFC 5987) does not allow.
  return encodeURIComponent(value).replace(
    /['()*!]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function extensionOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : undefined;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts the stem (never the extension, when it is short) on a code point boundary. */
function truncateKeepingExtension(name: string, maxBytes: number): string {
  if (byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const budget = maxBytes - byteLength(extension);
  let stem = '';
  let used = 0;
  for (const codePoint of extension ? name.slice(0, dot) : name) {
    used += byteLength(codePoint);
    if (used > budget) break;
    stem += codePoint;
  }
  return stem + extension;
}
