/** Push notifications over GraphQL: the VAPID key, and the caller's devices. */
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import { PushConfig, PushDevice, RegisterPushDeviceInput } from './dto/push.types.js';
import { PushDevicesService } from './push-devices.service.js';

@Resolver()
export class PushResolver {
  constructor(private readonly devices: PushDevicesService) {}

  @Query(() => PushConfig, { description: 'What a client needs to subscribe to pushes.' })
  pushConfig(): PushConfig {
    return { webPushPublicKey: this.devices.webPushPublicKey() };
  }

  @Mutation(() => PushDevice, {
    description:
      "Registers a device for pushes while the caller is away; it belongs to the caller's current session (ending it removes the device). Registering the same subscription again updates it.",
  })
  registerPushDevice(
    @CurrentUser() user: AuthUser,
    @Args('input') input: RegisterPushDeviceInput,
  ): Promise<PushDevice> {
    return this.devices.register(user, input);
  }

  @Mutation(() => Boolean, {
    description: "Removes one of the caller's devices; NOT_FOUND otherwise.",
  })
  async unregisterPushDevice(
    @CurrentUser() user: AuthUser,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    await this.devices.unregister(user.id, id);
    return true;
  }

  @Query(() => [PushDevice], {
    description: "The caller's devices of live sessions, newest first.",
  })
  pushDevices(@CurrentUser() user: AuthUser): Promise<PushDevice[]> {
    return this.devices.list(user.id);
  }
}
