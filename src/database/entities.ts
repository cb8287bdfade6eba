/** Every TypeORM entity, listed once for the app and the migration CLI. */
import { User } from '../users/user.entity.js';

export const entities = [User];
