/** GraphQL entry points of presence: the `presence` query, `heartbeat` and `presenceChanged`. */
import { Args, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import { PresenceArgs } from './dto/presence.args.js';
import { PresenceClaimsService } from './presence-claims.service.js';
import { PresenceService } from './presence.service.js';
import { PresenceStream } from './presence.stream.js';
import { Presence } from './presence.type.js';

@Resolver(() => Presence)
export class PresenceResolver {
  constructor(
    private readonly presenceService: PresenceService,
    private readonly claims: PresenceClaimsService,
    private readonly stream: PresenceStream,
  ) {}

  @Query(() => [Presence], { description: 'Presence of up to 500 users, in the order asked.' })
  presence(@CurrentUser() user: AuthUser, @Args() args: PresenceArgs): Promise<Presence[]> {
    return this.presenceService.getMany(
      args.userIds.map((userId) => ({ userId })),
      user.id,
    );
  }

  @Mutation(() => Boolean, {
    description: 'For a client without a WebSocket: marks the caller ONLINE for one TTL.',
  })
  async heartbeat(@CurrentUser() user: AuthUser): Promise<boolean> {
    await this.claims.heartbeat(user.id);
    return true;
  }

  @Subscription(() => Presence, {
    description: 'Status changes of the users who share a conversation with the caller.',
    resolve: (presence: Presence) => presence,
  })
  presenceChanged(@CurrentUser() user: AuthUser): AsyncIterableIterator<Presence> {
    return this.stream.open(user.id);
  }
}
