/**
 * Real time over WebSocket: the graphql-transport-ws endpoint (graphql-ws.server.ts and its parts) and the
 * registry of authenticated connections that features such as presence listen to.
 */
import { Module } from '@nestjs/common';
import { GraphqlModule } from '../graphql/graphql.module.js';
import { UsersModule } from '../users/users.module.js';
import { GraphqlWsServer } from './graphql-ws.server.js';
import { WsAdmission } from './ws.admission.js';
import { WsCaps } from './ws.caps.js';
import { WsConnections } from './ws-connections.js';
import { WsSession } from './ws.session.js';

@Module({
  imports: [GraphqlModule, UsersModule],
  providers: [GraphqlWsServer, WsSession, WsAdmission, WsConnections, WsCaps],
  exports: [WsConnections, GraphqlWsServer],
})
export class RealtimeModule {}
