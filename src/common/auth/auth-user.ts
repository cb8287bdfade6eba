/** Who is calling, as proven by a verified access token. */
export interface AuthUser {
  id: string;
  /** Token expiry, epoch seconds: open sockets are closed when it passes. */
  expiresAt: number;
}
