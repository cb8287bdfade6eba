/** `ConversationMember.user`, batched per request. */
import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphqlContext } from '../common/graphql-context.js';
import { User } from '../users/user.entity.js';
import { UserLoader } from '../users/user.loader.js';
import { Participant } from './participant.entity.js';

@Resolver(() => Participant)
export class MemberResolver {
  constructor(private readonly userLoader: UserLoader) {}

  @ResolveField(() => User)
  async user(@Parent() member: Participant, @Context() ctx: GraphqlContext): Promise<User> {
    // Users are not deleted while their memberships stay (FK cascade).
    return (await this.userLoader.load(ctx.loaders, member.userId))!;
  }
}
