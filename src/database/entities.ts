/** Every TypeORM entity, listed once for the app and the migration CLI. */
import { Attachment } from '../attachments/attachment.entity.js';
import { Conversation } from '../conversations/conversation.entity.js';
import { Participant } from '../conversations/participant.entity.js';
import { Message } from '../messages/message.entity.js';
import { User } from '../users/user.entity.js';

export const entities = [User, Conversation, Participant, Message, Attachment];
