/**
 * The app's data source: the database module's options with every feature's entities, listed
 * once for the app (app.module.ts) and the migration CLI (data-source.ts).
 */
import type { DataSourceOptions } from 'typeorm';
import { Attachment } from './attachments/attachment.entity.js';
import { Session } from './auth/sessions/session.entity.js';
import { Conversation } from './conversations/conversation.entity.js';
import { Participant } from './conversations/participant.entity.js';
import {
  postgresOptions,
  type DatabaseConnectionSettings,
} from './database/data-source.options.js';
import { Message } from './messages/message.entity.js';
import { ReactionRow } from './messages/reaction.entity.js';
import { Avatar } from './profiles/avatar.entity.js';
import { UserBlock } from './users/blocks/user-block.entity.js';
import { User } from './users/user.entity.js';
import { PushDevice } from './push/push-device.entity.js';
import { PushJob } from './push/push-job.entity.js';

export const ENTITIES = [
  User,
  Session,
  Conversation,
  Participant,
  Message,
  ReactionRow,
  Attachment,
  Avatar,
  UserBlock,
  PushDevice,
  PushJob,
];

export function buildDataSourceOptions(settings: DatabaseConnectionSettings): DataSourceOptions {
  return postgresOptions(settings, ENTITIES);
}
