import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import { User } from '../users/user.entity.js';
import { UpdateProfileInput } from './dto/update-profile.input.js';
import { ProfilesService } from './profiles.service.js';

@Resolver()
export class ProfilesResolver {
  constructor(private readonly profiles: ProfilesService) {}

  @Mutation(() => User, { description: "Changes the caller's display name and avatar." })
  updateProfile(
    @CurrentUser() user: AuthUser,
    @Args('input') input: UpdateProfileInput,
  ): Promise<User> {
    return this.profiles.update(user.id, input);
  }
}
