import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsEnum, IsString, Matches, MaxLength } from 'class-validator';
import { IsSafeText } from '../../common/validation/text.validators.js';

export enum PushDeviceKind {
  WEB_PUSH = 'WEB_PUSH',
}
registerEnumType(PushDeviceKind, {
  name: 'PushDeviceKind',
  description: 'How a device is reached. WEB_PUSH: a browser push subscription (VAPID).',
});

@ObjectType()
export class PushConfig {
  @Field(() => String, {
    nullable: true,
    description:
      'The VAPID public key (base64url) to pass as applicationServerKey to pushManager.subscribe; null when push is off.',
  })
  webPushPublicKey: string | null;
}

@ObjectType({ description: 'A device of the caller that receives pushes while they are away.' })
export class PushDevice {
  @Field(() => ID)
  id: string;

  @Field(() => PushDeviceKind)
  kind: PushDeviceKind;

  @Field()
  createdAt: Date;
}

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

@InputType({
  description:
    "A browser's push subscription (PushSubscription.toJSON(): endpoint, keys.p256dh, keys.auth), for the caller's current session.",
})
export class RegisterPushDeviceInput {
  @Field(() => PushDeviceKind)
  @IsEnum(PushDeviceKind)
  kind: PushDeviceKind;

  @Field({ description: 'The push service URL of the subscription (https).' })
  @IsString()
  @MaxLength(2048)
  @IsSafeText()
  @Matches(/^https:\/\/[^\s]+$/, { message: 'endpoint must be an https URL' })
  endpoint: string;

  @Field({ description: 'keys.p256dh: the P-256 public key, base64url.' })
  @IsString()
  @MaxLength(128)
  @Matches(BASE64URL, { message: 'p256dh must be base64url' })
  p256dh: string;

  @Field({ description: 'keys.auth: the 16-byte auth secret, base64url.' })
  @IsString()
  @MaxLength(64)
  @Matches(BASE64URL, { message: 'auth must be base64url' })
  auth: string;
}
