import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { User } from './user.entity.js';
import { UserExistence } from './user-existence.service.js';
import { UserLoader } from './user.loader.js';
import { UsersRepository } from './users.repository.js';
import { UsersResolver } from './users.resolver.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User])],
  providers: [UsersRepository, UsersService, UsersResolver, UserLoader, UserExistence],
  exports: [UsersService, UsersRepository, UserLoader, UserExistence],
})
export class UsersModule {}
