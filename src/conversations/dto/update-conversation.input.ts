import { Field, ID, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { trim } from '../../common/validation/transforms.js';

@InputType()
export class UpdateConversationInput {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  conversationId: string;

  @Field(() => String, { nullable: true, description: '1–200 characters; omitted: unchanged.' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @Length(1, 200)
  title?: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'An image uploaded to this conversation (POST /conversations/:id/file); null removes the avatar, omitted leaves it.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  avatarAttachmentId?: string | null;
}
