/** `User.presence`, resolved here so users need not depend on presence; batched per operation. */
import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphqlContext } from '../common/graphql-context.js';
import { User } from '../users/user.entity.js';
import { PresenceLoader } from './presence.loader.js';
import { Presence } from './presence.type.js';

@Resolver(() => User)
export class UserPresenceResolver {
  constructor(private readonly loader: PresenceLoader) {}

  @ResolveField(() => Presence)
  presence(@Parent() user: User, @Context() ctx: GraphqlContext): Promise<Presence> {
    // undefined (not loaded) lets presence read it; null means never seen.
    return this.loader.load(ctx.loaders, user.id, user.lastSeenAt, ctx.user?.id);
  }
}
