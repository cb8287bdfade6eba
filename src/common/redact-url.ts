/** A connection URL fit for a log line: the password (if any) is left out. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1@');
}
