/** The public JSON shape of a user in REST answers (never the password hash or internal fields). */
import { ApiProperty } from '@nestjs/swagger';
import type { User } from './user.entity.js';

export class UserView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  username: string;

  @ApiProperty()
  displayName: string;

  @ApiProperty({ type: String, nullable: true })
  avatarUrl: string | null;
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: user.avatarUrl,
  };
}
