import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { GraphqlContext } from '../common/graphql-context.js';
import { Public } from '../common/auth/public.decorator.js';
import { AuthService } from './auth.service.js';
import { AuthPayload } from './dto/auth-payload.type.js';
import { LoginInput } from './dto/login.input.js';
import { RegisterInput } from './dto/register.input.js';
import { clientOf } from './sessions.resolver.js';

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Mutation(() => AuthPayload, {
    description: 'Creates an account; CONFLICT when the username is taken.',
  })
  register(
    @Args('input') input: RegisterInput,
    @Context() ctx: GraphqlContext,
  ): Promise<AuthPayload> {
    return this.auth.register(input, clientOf(ctx));
  }

  @Public()
  @Mutation(() => AuthPayload, { description: 'UNAUTHENTICATED on a wrong username or password.' })
  login(@Args('input') input: LoginInput, @Context() ctx: GraphqlContext): Promise<AuthPayload> {
    return this.auth.login(input, clientOf(ctx));
  }
}
