/**
 * WebSocket close codes this server sends itself, beside the protocol's (graphql-ws's CloseCode,
 * sent by ws.protocol.ts: 4403 Forbidden, 4408 no connection_init in time, 4400 bad message, 4500
 * internal error). Listed in the README.
 */

/** The access token expired: refresh it, reconnect, resume with afterSeq. */
export const CLOSE_TOKEN_EXPIRED = 4401;
/**
 * The socket's session ended (logout, revoked, password changed, a spent refresh token reused):
 * graphql-ws's Forbidden, as for a refused token. Do not reconnect with the same token.
 */
export const CLOSE_SESSION_ENDED = 4403;
/** Shutting down: reconnect (to another instance) and resume. */
export const CLOSE_GOING_AWAY = 1001;
/**
 * The server could not check the token (its database or identity provider failed): not the
 * client's fault, so not 4403. RFC 6455's "Try Again Later", which graphql-ws clients retry
 * (they treat 4500 and 1011 as fatal).
 */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/**
 * Too many open sockets: this user's (WS_MAX_CONNECTIONS_PER_USER) or this address's
 * (WS_MAX_CONNECTIONS_PER_ADDRESS) on this instance. The newest socket is the one refused; the
 * open ones keep working. Not 4429, which graphql-ws uses for a repeated connection_init.
 */
export const CLOSE_TOO_MANY_CONNECTIONS = 4029;
