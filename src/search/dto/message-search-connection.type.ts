/** The searchMessages connection: newest first, each edge with where its text matched. */
import { Field, Int, ObjectType } from '@nestjs/graphql';
import { PageInfo } from '../../common/pagination/connection.type.js';
import { Message } from '../../messages/message.entity.js';

@ObjectType({ description: 'A matched range of a text, in UTF-16 code units.' })
export class TextRange {
  @Field(() => Int)
  start: number;

  @Field(() => Int)
  length: number;
}

@ObjectType()
export class MessageSearchEdge {
  @Field()
  cursor: string;

  @Field(() => Message)
  node: Message;

  @Field(() => [TextRange], { description: 'The matched ranges of node.text.' })
  highlights: TextRange[];
}

@ObjectType()
export class MessageSearchConnection {
  @Field(() => [MessageSearchEdge])
  edges: MessageSearchEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
