/** Database access for blocks: named queries only. */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { isUuid } from '../../common/uuid.js';
import { UserBlock } from './user-block.entity.js';

@Injectable()
export class BlocksRepository {
  constructor(@InjectRepository(UserBlock) private readonly blocks: Repository<UserBlock>) {}

  /** True when the block is new. */
  async insert(blockerId: string, blockedId: string): Promise<boolean> {
    const result = await this.blocks
      .createQueryBuilder()
      .insert()
      .values({ blockerId, blockedId })
      .orIgnore()
      .returning(['blocker_id'])
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  /** True when there was a block to remove. */
  async delete(blockerId: string, blockedId: string): Promise<boolean> {
    if (!isUuid(blockedId)) return false;
    const result = await this.blocks.delete({ blockerId, blockedId });
    return (result.affected ?? 0) > 0;
  }

  /** The ids of the users `blockerId` blocks, most recent first. */
  async findBlockedIds(blockerId: string): Promise<string[]> {
    const rows = await this.blocks.find({
      select: { blockedId: true },
      where: { blockerId },
      order: { createdAt: 'DESC' },
    });
    return rows.map((r) => r.blockedId);
  }

  /** Which of `userIds` block `blockedId`. */
  async findBlockersAmong(blockedId: string, userIds: readonly string[]): Promise<string[]> {
    const ids = userIds.filter(isUuid);
    if (ids.length === 0 || !isUuid(blockedId)) return [];
    const rows = await this.blocks.find({
      select: { blockerId: true },
      where: { blockedId, blockerId: In(ids) },
    });
    return rows.map((r) => r.blockerId);
  }
}
