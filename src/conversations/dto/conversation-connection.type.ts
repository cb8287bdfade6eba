import { ObjectType } from '@nestjs/graphql';
import { Connection } from '../../common/pagination/connection.type.js';
import { Conversation } from '../conversation.entity.js';

@ObjectType()
export class ConversationConnection extends Connection(Conversation) {}
