import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsEnum, IsString, MaxLength } from 'class-validator';
import { ConversationRole } from '../participant.entity.js';

@ArgsType()
export class MemberArgs {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  conversationId: string;

  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  userId: string;
}

@ArgsType()
export class SetRoleArgs extends MemberArgs {
  @Field(() => ConversationRole, {
    description: 'OWNER hands ownership over: the caller becomes an ADMIN.',
  })
  @IsEnum(ConversationRole)
  role: ConversationRole;
}
