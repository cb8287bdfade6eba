import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { AuthResolver } from './auth.resolver.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { TokenService } from './token.service.js';
import { ExternalIdentityService } from './external/external-identity.service.js';
import { EndedSessionsSweep } from './sessions/ended-sessions.sweep.js';
import { Session } from './sessions/session.entity.js';
import { SessionRevocations } from './sessions/session-revocations.js';
import { SessionsRepository } from './sessions/sessions.repository.js';
import { SessionsService } from './sessions/sessions.service.js';
import { SessionsResolver } from './sessions.resolver.js';

@Global()
@Module({
  // Secrets and algorithm are passed per call by TokenService, from the validated config.
  imports: [JwtModule.register({}), TypeOrmModule.forFeature([Session]), UsersModule],
  providers: [
    AuthService,
    AuthResolver,
    TokenService,
    SessionsRepository,
    SessionsService,
    SessionsResolver,
    SessionRevocations,
    EndedSessionsSweep,
    ExternalIdentityService,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [TokenService, SessionRevocations],
})
export class AuthModule {}
