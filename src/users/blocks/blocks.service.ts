/**
 * Blocking: a blocked user cannot start a direct conversation with the blocker, send in their
 * direct conversation, or add them to a group (FORBIDDEN; the conversation and message services
 * ask here), and sees the blocker OFFLINE with no lastSeenAt. Each change is announced on the
 * blocked user's channel, so their open presence streams follow it at once.
 */
import { Injectable } from '@nestjs/common';
import { BadUserInputError, ForbiddenError } from '../../common/errors/domain-error.js';
import { Channels } from '../../pubsub/channels.js';
import { EventBus } from '../../pubsub/event-bus.js';
import type { User } from '../user.entity.js';
import { UsersRepository } from '../users.repository.js';
import { UsersService } from '../users.service.js';
import { BlocksRepository } from './blocks.repository.js';

/** On the blocked user's channel: `blockerId` now blocks them, or no longer does. */
export interface BlocksChangedEvent {
  type: 'blocksChanged';
  blockerId: string;
  blocked: boolean;
}

export function decodeBlocksChanged(payload: unknown): BlocksChangedEvent | undefined {
  const event = payload as Partial<BlocksChangedEvent> | null;
  return event?.type === 'blocksChanged' &&
    typeof event.blockerId === 'string' &&
    typeof event.blocked === 'boolean'
    ? (event as BlocksChangedEvent)
    : undefined;
}

@Injectable()
export class BlocksService {
  constructor(
    private readonly blocks: BlocksRepository,
    private readonly users: UsersService,
    private readonly usersRepository: UsersRepository,
    private readonly bus: EventBus,
    private readonly channels: Channels,
  ) {}

  async block(blockerId: string, blockedId: string): Promise<void> {
    if (blockerId === blockedId) throw new BadUserInputError('You cannot block yourself');
    await this.users.getById(blockedId); // NOT_FOUND for an unknown user
    if (await this.blocks.insert(blockerId, blockedId)) {
      await this.announce(blockerId, blockedId, true);
    }
  }

  async unblock(blockerId: string, blockedId: string): Promise<void> {
    if (await this.blocks.delete(blockerId, blockedId)) {
      await this.announce(blockerId, blockedId, false);
    }
  }

  async blockedUsers(blockerId: string): Promise<User[]> {
    const ids = await this.blocks.findBlockedIds(blockerId);
    const users = new Map((await this.usersRepository.findByIds(ids)).map((u) => [u.id, u]));
    return ids.flatMap((id) => users.get(id) ?? []);
  }

  /** Which of `userIds` block `userId` (presence hides them from it). */
  async blockersOf(userId: string, userIds: readonly string[]): Promise<Set<string>> {
    return new Set(await this.blocks.findBlockersAmong(userId, userIds));
  }

  /** FORBIDDEN when any of `targetIds` blocks `actorId`. */
  async assertNotBlockedBy(actorId: string, targetIds: readonly string[]): Promise<void> {
    if ((await this.blocks.findBlockersAmong(actorId, targetIds)).length > 0) {
      throw new ForbiddenError('This user does not accept that from you');
    }
  }

  listen(userId: string, handler: (event: BlocksChangedEvent) => void): Promise<() => void> {
    return this.bus.subscribe<unknown>(this.channels.user(userId), (payload) => {
      const event = decodeBlocksChanged(payload);
      if (event) handler(event);
    });
  }

  private announce(blockerId: string, blockedId: string, blocked: boolean): Promise<void> {
    const event: BlocksChangedEvent = { type: 'blocksChanged', blockerId, blocked };
    return this.bus.publish([this.channels.user(blockedId)], event);
  }
}
