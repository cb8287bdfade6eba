/** The public JSON shape of a user in REST answers (never the password hash or internal fields). */
import type { User } from './user.entity.js';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
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
