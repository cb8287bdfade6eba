/** The caller's profile: display name and avatar. */
import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { User } from '../users/user.entity.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { AvatarsService, avatarUrl } from './avatars.service.js';
import type { UpdateProfileInput } from './dto/update-profile.input.js';

@Injectable()
export class ProfilesService {
  constructor(
    private readonly users: UsersService,
    private readonly usersRepository: UsersRepository,
    private readonly avatars: AvatarsService,
  ) {}

  async update(userId: string, input: UpdateProfileInput): Promise<User> {
    const changes: { displayName?: string; avatarUrl?: string | null } = {};
    if (input.displayName !== undefined) changes.displayName = input.displayName;
    if (input.avatarUploadId === null) changes.avatarUrl = null;
    else if (input.avatarUploadId !== undefined) {
      const avatar = await this.avatars.getOwn(input.avatarUploadId, userId);
      changes.avatarUrl = avatarUrl(avatar.id);
    }
    if (Object.keys(changes).length > 0) await this.usersRepository.updateProfile(userId, changes);
    return this.users.getById(userId);
  }

  /** POST /me/avatar: the upload becomes the caller's avatar at once. */
  async uploadAvatar(
    userId: string,
    req: IncomingMessage,
  ): Promise<{ id: string; avatarUrl: string }> {
    const avatar = await this.avatars.upload(userId, req);
    const url = avatarUrl(avatar.id);
    await this.usersRepository.updateProfile(userId, { avatarUrl: url });
    return { id: avatar.id, avatarUrl: url };
  }
}
