/** Relay cursor connection types: `Connection(Node)` builds `NodeConnection` and `NodeEdge`. */
import type { Type } from '@nestjs/common';
import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field()
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

export function Connection<T>(nodeType: Type<T>) {
  @ObjectType(`${nodeType.name}Edge`)
  class EdgeType implements Edge<T> {
    @Field()
    cursor: string;

    @Field(() => nodeType)
    node: T;
  }

  @ObjectType({ isAbstract: true })
  abstract class ConnectionType implements ConnectionShape<T> {
    @Field(() => [EdgeType])
    edges: EdgeType[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;
  }
  return ConnectionType;
}

/** Builds a connection from rows already in display order. */
export function toConnection<T>(
  rows: T[],
  cursorOf: (row: T) => string,
  page: { hasNextPage: boolean; hasPreviousPage: boolean },
): ConnectionShape<T> {
  const edges = rows.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      ...page,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/**
 * A forward page read as `limit + 1` rows: the extra row is not shown, it only says that a next
 * page exists.
 */
export function toForwardConnection<T>(
  rows: T[],
  limit: number,
  cursorOf: (row: T) => string,
  hasPreviousPage: boolean,
): ConnectionShape<T> {
  return toConnection(rows.slice(0, limit), cursorOf, {
    hasNextPage: rows.length > limit,
    hasPreviousPage,
  });
}
