/**
 * graphql-ws runs graphql's subscribe() for each subscription, and that executes the selection set
 * for every event and every subscriber: with N subscribers of a group on an instance, N
 * executions of the same fields over the same message, the largest part of a delivery in a big
 * group (figures: bench/README.md, "Profiling notes behind the code").
 *
 * For root fields whose result is the same whoever watches, this executes once per event and per
 * (document, operation, variables), and hands that one result to every subscriber. Who may see
 * an event is decided before it is published (its channels), so nothing is widened. It relies on
 * subscribers receiving the same payload object (shared-payloads.ts; the in-process PubSub does
 * that by itself); anything else still executes once per subscriber, exactly as graphql does.
 * Fields that differ per viewer (`reactedByMe`) record patches while the shared execution runs
 * (common/viewer-fields.ts); each other subscriber gets a copy with those few values its own.
 * The shared result is also encoded once for every socket (shared-frames.ts).
 */
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';

import { forViewer, type ViewerAware, type ViewerPatch } from '../common/viewer-fields.js';
import { shareResult } from './shared-frames.js';

type Result = ExecutionResult | Promise<ExecutionResult>;

/** One shared execution: its result, the per-viewer patches, and whose context it ran with. */
interface SharedResult {
  result: Promise<ExecutionResult>;
  /** The result once it is there: later subscribers take it without waiting a turn. */
  done?: ExecutionResult;
  patches: ViewerPatch[];
  executedFor: unknown;
}

const viewerIdOf = (context: unknown) => (context as ViewerAware | undefined)?.user?.id;

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

/**
 * graphql's own mapAsyncIterator (`return()` reaches the source at once, even while waiting), in
 * plain promise callbacks: a value mapped without waiting costs no extra turn. It runs once per
 * subscriber per event, and each async-function layer was a few promises more for the collector.
 */
function mapAsyncIterator<T, U>(
  iterable: AsyncIterable<T>,
  map: (value: T) => U | Promise<U>,
): AsyncGenerator<U, void, void> {
  const iterator = iterable[Symbol.asyncIterator]();
  const fail = async (error: unknown): Promise<never> => {
    try {
      await iterator.return?.();
    } catch {
      // the mapping error is the one to report
    }
    throw error;
  };
  const mapResult = (
    result: IteratorResult<T>,
  ): IteratorResult<U, void> | Promise<IteratorResult<U, void>> => {
    if (result.done) return { value: undefined, done: true };
    let value: U | Promise<U>;
    try {
      value = map(result.value);
    } catch (error) {
      return fail(error);
    }
    if (!isPromise(value)) return { value, done: false };
    return value.then((mapped) => ({ value: mapped, done: false }), fail);
  };
  const mapped: AsyncGenerator<U, void, void> = {
    next: () => iterator.next().then(mapResult),
    return: async () =>
      iterator.return ? mapResult(await iterator.return()) : { value: undefined, done: true },
    throw: async (error: unknown) => {
      if (iterator.throw) return mapResult(await iterator.throw(error));
      throw error;
    },
    [Symbol.asyncIterator]: () => mapped,
  };
  return mapped;
}

/**
 * A drop-in for graphql's subscribe() (graphql-ws's `subscribe` option) that shares results of
 * subscriptions made only of `sharedFields`. `perEvent` derives the context each event executes
 * with: a subscription lives for hours, so per-request state (DataLoader caches) must not.
 */
export function sharedSubscribe(
  sharedFields: ReadonlySet<string>,
  perEvent: (contextValue: unknown) => unknown,
) {
  const documentIds = new WeakMap<DocumentNode, number>();
  let lastDocumentId = 0;
  /** Event payload → results by operation key; dies with the payload. */
  const results = new WeakMap<object, Map<string, SharedResult>>();

  const isShared = (args: ExecutionArgs): boolean => {
    const operation = getOperationAST(args.document, args.operationName);
    return (
      operation?.operation === 'subscription' &&
      operation.selectionSet.selections.every(
        (s) => s.kind === Kind.FIELD && sharedFields.has(s.name.value),
      )
    );
  };

  return async (
    args: ExecutionArgs,
  ): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const run = (payload: unknown): Result =>
      execute({ ...args, rootValue: payload, contextValue: perEvent(args.contextValue) });
    if (!isShared(args)) return mapAsyncIterator(stream, run);

    // The query text when the parser kept it (it does by default), else the document's identity.
    let document: string | number | undefined = args.document.loc?.source.body;
    if (document === undefined) {
      document = documentIds.get(args.document);
      if (document === undefined) documentIds.set(args.document, (document = ++lastDocumentId));
    }
    const key = JSON.stringify([document, args.operationName ?? null, args.variableValues ?? {}]);
    return mapAsyncIterator(stream, (payload: unknown) => {
      if (typeof payload !== 'object' || payload === null) return run(payload);
      let byKey = results.get(payload);
      if (!byKey) results.set(payload, (byKey = new Map()));
      let shared = byKey.get(key);
      if (!shared) {
        const patches: ViewerPatch[] = [];
        const contextValue = { ...(perEvent(args.contextValue) as object), viewerPatches: patches };
        const entry: SharedResult = {
          result: Promise.resolve(execute({ ...args, rootValue: payload, contextValue })).then(
            (executed) => {
              shareResult(executed);
              return (entry.done = executed);
            },
          ),
          patches,
          executedFor: args.contextValue,
        };
        byKey.set(key, (shared = entry));
      }
      const { done, patches, executedFor } = shared;
      const mine = executedFor === args.contextValue;
      // The patches are complete once the result is: none means the same result for everyone.
      if (done) return mine ? done : forViewer(done, patches, viewerIdOf(args.contextValue));
      if (mine) return shared.result;
      return shared.result.then((result) =>
        forViewer(result, patches, viewerIdOf(args.contextValue)),
      );
    });
  };
}
