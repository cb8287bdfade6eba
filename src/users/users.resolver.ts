import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import { UsersArgs } from './dto/users.args.js';
import { UserConnection } from './dto/user-connection.type.js';
import { User } from './user.entity.js';
import { UsersService } from './users.service.js';

@Resolver(() => User)
export class UsersResolver {
  constructor(private readonly usersService: UsersService) {}

  @Query(() => User, { description: 'The signed-in user.' })
  me(@CurrentUser() user: AuthUser): Promise<User> {
    return this.usersService.getById(user.id);
  }

  @Query(() => User)
  user(@Args('id', { type: () => ID }) id: string): Promise<User> {
    return this.usersService.getById(id);
  }

  @Query(() => UserConnection, { description: 'Users by username or display-name prefix.' })
  users(@Args() args: UsersArgs): Promise<UserConnection> {
    return this.usersService.search(args);
  }
}
