/** Database access for avatars: named queries only. */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUuid } from '../common/uuid.js';
import { Avatar } from './avatar.entity.js';

@Injectable()
export class AvatarsRepository {
  constructor(@InjectRepository(Avatar) private readonly avatars: Repository<Avatar>) {}

  async insert(avatar: Omit<Avatar, 'createdAt'>): Promise<void> {
    await this.avatars.insert(avatar);
  }

  findById(id: string): Promise<Avatar | null> {
    return isUuid(id) ? this.avatars.findOneBy({ id }) : Promise.resolve(null);
  }

  /** The user's own avatar by id (updateProfile may only pick one of the caller's). */
  findOwn(id: string, userId: string): Promise<Avatar | null> {
    return isUuid(id) ? this.avatars.findOneBy({ id, userId }) : Promise.resolve(null);
  }
}
