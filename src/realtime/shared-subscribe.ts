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
 *
 * It hands the protocol server (ws.protocol.ts) the source stream and a way to make each event's
 * result, not a mapped async iterator: a subscription is held for hours, and each layer of
 * iterator was an object and several closures per subscriber (bench/README.md, round three).
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

/** Distinct query texts numbered at once (clients send a few operations again and again). */
const MAX_TEXTS = 1000;

type Result = ExecutionResult | Promise<ExecutionResult>;

/** One shared execution: its result, the per-viewer patches, and whose context it ran with. */
interface SharedResult {
  result: Promise<ExecutionResult>;
  /** The result once it is there: later subscribers take it without waiting a turn. */
  done?: ExecutionResult;
  patches: ViewerPatch[];
  executedFor: unknown;
}

/** What every subscription made by one sharedSubscribe() refers to. */
interface Sharing {
  perEvent: (contextValue: unknown) => unknown;
  /** Event payload → results by operation key; dies with the payload. */
  results: WeakMap<object, Map<string, SharedResult>>;
}

const viewerIdOf = (context: unknown) => (context as ViewerAware | undefined)?.user?.id;

/**
 * One subscription: the source event stream (the field's subscribe resolver) and the results of
 * its events. Its methods are on the prototype: nothing per subscriber but its fields.
 */
export class EventStream {
  constructor(
    readonly source: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    /** The operation's key when its results are shared, else undefined. */
    private readonly key: string | undefined,
    private readonly sharing: Sharing,
  ) {}

  /** The result of one event for this subscriber. */
  resultOf(payload: unknown): Result {
    const { args, key, sharing } = this;
    if (key === undefined || typeof payload !== 'object' || payload === null) {
      return execute({
        ...args,
        rootValue: payload,
        contextValue: sharing.perEvent(args.contextValue),
      });
    }
    let byKey = sharing.results.get(payload);
    if (!byKey) sharing.results.set(payload, (byKey = new Map()));
    let shared = byKey.get(key);
    if (!shared) {
      const patches: ViewerPatch[] = [];
      const contextValue = {
        ...(sharing.perEvent(args.contextValue) as object),
        viewerPatches: patches,
      };
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
  }
}

/**
 * graphql's subscribe() as the protocol server uses it: the subscription's event stream, or the
 * result that ends it at once (errors of the subscribe step). Results of subscriptions made only
 * of `sharedFields` are shared. `perEvent` derives the context each event executes with: a
 * subscription lives for hours, so per-request state (DataLoader caches) must not.
 */
export function sharedSubscribe(
  sharedFields: ReadonlySet<string>,
  perEvent: (contextValue: unknown) => unknown,
) {
  const documentIds = new WeakMap<DocumentNode, number>();
  /** Query text → its number: each subscriber holds a short key, not a copy of the text. */
  const textIds = new Map<string, number>();
  let lastDocumentId = 0;
  /** The same number for the same text (when the parser kept it, as it does by default). */
  const documentIdOf = (document: DocumentNode): number => {
    const text = document.loc?.source.body;
    let id = text === undefined ? documentIds.get(document) : textIds.get(text);
    if (id !== undefined) return id;
    id = ++lastDocumentId;
    if (text === undefined) documentIds.set(document, id);
    else {
      // Bounded: a text forgotten only gets a new number (its next subscribers share anew).
      if (textIds.size >= MAX_TEXTS) textIds.delete(textIds.keys().next().value!);
      textIds.set(text, id);
    }
    return id;
  };
  const sharing: Sharing = { perEvent, results: new WeakMap() };

  const isShared = (args: ExecutionArgs): boolean => {
    const operation = getOperationAST(args.document, args.operationName);
    return (
      operation?.operation === 'subscription' &&
      operation.selectionSet.selections.every(
        (s) => s.kind === Kind.FIELD && sharedFields.has(s.name.value),
      )
    );
  };

  return async (args: ExecutionArgs): Promise<EventStream | ExecutionResult> => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const source = stream[Symbol.asyncIterator]();
    if (!isShared(args)) return new EventStream(source, args, undefined, sharing);
    const document = documentIdOf(args.document);
    const key = JSON.stringify([document, args.operationName ?? null, args.variableValues ?? {}]);
    return new EventStream(source, args, key, sharing);
  };
}
