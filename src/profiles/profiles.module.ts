/**
 * Profiles: updateProfile (display name, avatar), POST /me/avatar and GET /avatars/:id. Avatar
 * bytes go through the attachments' inspection and live in the attachments' storage.
 */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttachmentsModule } from '../attachments/attachments.module.js';
import { UsersModule } from '../users/users.module.js';
import { Avatar } from './avatar.entity.js';
import { AvatarsRepository } from './avatars.repository.js';
import { AvatarsService } from './avatars.service.js';
import { ProfilesController } from './profiles.controller.js';
import { ProfilesResolver } from './profiles.resolver.js';
import { ProfilesService } from './profiles.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Avatar]), UsersModule, AttachmentsModule],
  controllers: [ProfilesController],
  providers: [AvatarsRepository, AvatarsService, ProfilesService, ProfilesResolver],
})
export class ProfilesModule {}
