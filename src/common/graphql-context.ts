/** What every GraphQL resolver receives as context, over HTTP and over WebSocket. */
import type { Request } from 'express';
import type { AuthUser } from './auth/auth-user.js';
import { RequestLoaders } from './dataloader/request-loaders.js';
import type { ViewerPatch } from './viewer-fields.js';

export interface GraphqlContext {
  /** Set by the auth guard (HTTP) or at connection_init (WebSocket). */
  user?: AuthUser;
  req?: Request;
  /** DataLoaders that live as long as one operation. */
  loaders: RequestLoaders;
  /** Set in a shared subscription execution (see viewer-fields.ts). */
  viewerPatches?: ViewerPatch[];
}
