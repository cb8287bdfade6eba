import {
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type ExecutionResult,
} from 'graphql';
import { Repeater } from '@repeaterjs/repeater';
import { describe, expect, it } from 'vitest';
import { EventStream, sharedSubscribe } from './shared-subscribe.js';

/** A schema whose two subscription fields stream the same source, counting field executions. */
function setup() {
  const pushes: ((event: object) => void)[] = [];
  const stopped: string[] = [];
  let resolved = 0;
  const Event = new GraphQLObjectType({
    name: 'Event',
    fields: {
      text: {
        type: GraphQLString,
        resolve: (event: { text: string }, _args, context: { viewer: string }) => {
          resolved++;
          return `${event.text} (resolved for ${context.viewer})`;
        },
      },
    },
  });
  const stream = (_: unknown, _args: unknown, context: { viewer: string }) =>
    new Repeater<object>(async (push, stop) => {
      pushes.push((event) => void push(event));
      await stop;
      stopped.push(context.viewer);
    });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        shared: { type: Event, subscribe: stream, resolve: (e: object) => e },
        perViewer: { type: Event, subscribe: stream, resolve: (e: object) => e },
      },
    }),
  });
  return { schema, pushes, stopped, resolvedCount: () => resolved };
}

const subscribe = sharedSubscribe(new Set(['shared']), (context) => context);

async function open(schema: GraphQLSchema, query: string, viewer: string) {
  const result = await subscribe({
    schema,
    document: parse(query),
    contextValue: { viewer },
  });
  if (!(result instanceof EventStream)) throw new Error(JSON.stringify(result));
  return {
    /** The next event's result, as the protocol server drives a subscription. */
    next: async () => {
      const step = await result.source.next();
      return step.done ? step : { value: await result.resultOf(step.value), done: false };
    },
    return: () => result.source.return!(),
  };
}

describe('sharedSubscribe', () => {
  it('executes a shared field once per event for every subscriber of the same operation', async () => {
    const { schema, pushes, resolvedCount } = setup();
    const a = await open(schema, 'subscription { shared { text } }', 'a');
    const b = await open(schema, 'subscription { shared { text } }', 'b');
    const nextA = a.next();
    const nextB = b.next();
    const event = { text: 'hi' };
    for (const push of pushes) push(event);
    const [ra, rb] = await Promise.all([nextA, nextB]);
    expect(ra.value).toBe(rb.value);
    expect((ra.value as ExecutionResult).data).toEqual({ shared: { text: 'hi (resolved for a)' } });
    expect(resolvedCount()).toBe(1);
    // Another event object is another execution.
    const again = [a.next(), b.next()];
    const second = { text: 'again' };
    for (const push of pushes) push(second);
    await Promise.all(again);
    expect(resolvedCount()).toBe(2);
  });

  it('executes per subscriber for other fields, other documents and distinct payloads', async () => {
    const { schema, pushes, resolvedCount } = setup();
    const a = await open(schema, 'subscription { perViewer { text } }', 'a');
    const b = await open(schema, 'subscription { perViewer { text } }', 'b');
    const c = await open(schema, 'subscription { shared { t: text } }', 'c');
    const nexts = [a.next(), b.next(), c.next()];
    const event = { text: 'hi' };
    for (const push of pushes) push(event);
    const results = await Promise.all(nexts);
    expect((results[1].value as ExecutionResult).data).toEqual({
      perViewer: { text: 'hi (resolved for b)' },
    });
    expect(resolvedCount()).toBe(3);
  });

  it('stops the source at once on return(), even while waiting for an event', async () => {
    const { schema, stopped } = setup();
    const a = await open(schema, 'subscription { shared { text } }', 'a');
    const pending = a.next();
    await a.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(stopped).toEqual(['a']);
  });

  it('answers errors of the subscribe step as an execution result', async () => {
    const { schema } = setup();
    const result = await subscribe({ schema, document: parse('subscription { nope }') });
    expect(!(result instanceof EventStream) && result.errors).toBeTruthy();
  });
});
