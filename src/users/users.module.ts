import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BlocksRepository } from './blocks/blocks.repository.js';
import { BlocksResolver } from './blocks/blocks.resolver.js';
import { BlocksService } from './blocks/blocks.service.js';
import { UserBlock } from './blocks/user-block.entity.js';
import { User } from './user.entity.js';
import { UserExistence } from './user-existence.service.js';
import { UserLoader } from './user.loader.js';
import { UsersRepository } from './users.repository.js';
import { UsersResolver } from './users.resolver.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User, UserBlock])],
  providers: [
    UsersRepository,
    UsersService,
    UsersResolver,
    UserLoader,
    UserExistence,
    BlocksRepository,
    BlocksService,
    BlocksResolver,
  ],
  exports: [UsersService, UsersRepository, UserLoader, UserExistence, BlocksService],
})
export class UsersModule {}
