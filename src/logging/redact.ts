/**
 * What never reaches a log line: credentials wherever they travel (`token`, `access_token`,
 * `password`… as URL query parameters or fields of any logged object) and the parameters of a
 * failed SQL query (a registration's argon2 hash, a message's text). The query text stays: it is
 * ours, and says what failed.
 */
const SECRET_KEY =
  /^(token|access_?token|refresh_?token|id_?token|password|new_?password|secret|authorization|cookie)$/i;
const REDACTED = '[redacted]';
/** How deep a logged object is walked; deeper parts are dropped (they are never ours). */
const MAX_DEPTH = 8;

/** `?token=abc&x=1` → `?token=[redacted]&x=1`; the path is left alone. */
export function redactUrlSecrets(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = decodeSafely(eq < 0 ? pair : pair.slice(0, eq));
      return eq >= 0 && SECRET_KEY.test(key) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q + 1)}${query}`;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** A copy of `value` with secret-named fields, and failed-query parameters, replaced. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (SECRET_KEY.test(key) || key === 'parameters') copy[key] = REDACTED;
    // pg repeats a refused value in `detail` ("Key (username)=(bob) already exists").
    else if (key === 'detail' && typeof inner === 'string') copy[key] = REDACTED;
    else copy[key] = redactSecrets(inner, depth + 1);
  }
  return copy;
}

/** pino-http's `req` serializer, on top of its standard one. */
export function serializeRequest(req: Record<string, unknown>): Record<string, unknown> {
  const { raw: _raw, ...rest } = req;
  const copy = redactSecrets(rest) as Record<string, unknown>;
  if (typeof req.url === 'string') copy.url = redactUrlSecrets(req.url);
  // `raw` is what pino-http hands later serializers; it is not printed.
  return Object.defineProperty(copy, 'raw', { value: req.raw, enumerable: false });
}

/** pino's `err` serializer, on top of its standard one. */
export function serializeError(err: unknown): unknown {
  return redactSecrets(err);
}
