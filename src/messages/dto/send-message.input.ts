import { Field, ID, InputType } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { trim } from '../../common/validation/transforms.js';
import { IsMessageText, IsSafeText } from '../../common/validation/text.validators.js';

export const MAX_TEXT_LENGTH = 4000;
export const MAX_ATTACHMENTS = 10;
export const MAX_MENTIONS = 50;

/** The body of a send, shared by GraphQL (`SendMessageInput`) and REST. */
@InputType({ isAbstract: true })
export class MessageContent {
  @ApiPropertyOptional({
    maxLength: MAX_TEXT_LENGTH,
    description: 'Trimmed; may be empty only with attachments.',
  })
  @Field(() => String, {
    nullable: true,
    description: `Trimmed; up to ${MAX_TEXT_LENGTH} characters. May be empty only with attachments.`,
  })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT_LENGTH)
  @IsMessageText()
  text?: string;

  @ApiPropertyOptional({
    maxLength: 64,
    description: 'Chosen by the client; a retry with the same id returns the first message.',
  })
  @Field(() => String, {
    nullable: true,
    description:
      'Chosen by the client (e.g. a UUID); a retried send with the same id returns the first message.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(/^[\x21-\x7e]+$/, { message: 'clientMessageId must be printable ASCII without spaces' })
  clientMessageId?: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_ATTACHMENTS,
    description: 'Uploads of the sender to this conversation.',
  })
  @Field(() => [ID], {
    nullable: true,
    description: `Up to ${MAX_ATTACHMENTS} uploads of the sender to this conversation.`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ATTACHMENTS)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  @IsSafeText({ each: true })
  attachmentIds?: string[];

  @ApiPropertyOptional({ description: 'A message of the same conversation this one answers.' })
  @Field(() => ID, {
    nullable: true,
    description: 'A message of the same conversation this one answers.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  replyToMessageId?: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_MENTIONS,
    description: 'Current members of the conversation.',
  })
  @Field(() => [ID], {
    nullable: true,
    description: `Up to ${MAX_MENTIONS} current members of the conversation.`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_MENTIONS)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  mentionedUserIds?: string[];
}

@InputType()
export class SendMessageInput extends MessageContent {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  @IsSafeText()
  conversationId: string;
}
