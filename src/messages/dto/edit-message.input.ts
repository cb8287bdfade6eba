import { Field, ID, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsString, MaxLength } from 'class-validator';
import { trim } from '../../common/validation/transforms.js';
import { MAX_TEXT_LENGTH } from './send-message.input.js';

@InputType()
export class EditMessageInput {
  @Field(() => ID)
  @IsString()
  @MaxLength(64)
  messageId: string;

  @Field({
    description: `The new text: trimmed, up to ${MAX_TEXT_LENGTH} characters; empty only when the message has attachments.`,
  })
  @Transform(trim)
  @IsString()
  @MaxLength(MAX_TEXT_LENGTH)
  text: string;
}
