/** Who is calling, as proven by a verified access token. */
export interface AuthUser {
  id: string;
  /** Token expiry, epoch seconds: open sockets are closed when it passes. */
  expiresAt: number;
  /**
   * The server session the token belongs to (its `sid`); absent for an external identity
   * provider's token, whose sessions that provider keeps.
   */
  sessionId?: string;
}
