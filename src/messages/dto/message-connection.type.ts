import { ObjectType } from '@nestjs/graphql';
import { Connection } from '../../common/pagination/connection.type.js';
import { Message } from '../message.entity.js';

@ObjectType()
export class MessageConnection extends Connection(Message) {}
