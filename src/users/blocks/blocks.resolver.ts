import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { User } from '../user.entity.js';
import { BlocksService } from './blocks.service.js';

@Resolver()
export class BlocksResolver {
  constructor(private readonly blocks: BlocksService) {}

  @Mutation(() => Boolean, {
    description:
      'The user can no longer start a direct conversation with the caller, send in it or add the caller to a group, and sees the caller OFFLINE. Idempotent.',
  })
  async blockUser(
    @CurrentUser() user: AuthUser,
    @Args('userId', { type: () => ID }) userId: string,
  ): Promise<boolean> {
    await this.blocks.block(user.id, userId);
    return true;
  }

  @Mutation(() => Boolean, { description: 'Undoes blockUser. Idempotent.' })
  async unblockUser(
    @CurrentUser() user: AuthUser,
    @Args('userId', { type: () => ID }) userId: string,
  ): Promise<boolean> {
    await this.blocks.unblock(user.id, userId);
    return true;
  }

  @Query(() => [User], { description: 'The users the caller blocks, most recent first.' })
  blockedUsers(@CurrentUser() user: AuthUser): Promise<User[]> {
    return this.blocks.blockedUsers(user.id);
  }
}
