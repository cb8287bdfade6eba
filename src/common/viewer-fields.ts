/**
 * Fields whose value depends on who is looking (a message's `reactedByMe`), inside results that
 * are otherwise the same for everyone. A shared subscription execution (realtime/
 * shared-subscribe.ts) runs once per event for all subscribers and gives its context a list of
 * patches: such a field answers for the executing viewer and records how to answer for any other,
 * at its response path. Everywhere else it simply answers for the caller.
 */
import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';

export interface ViewerPatch {
  /** The field's response path (aliases included), from `data`. */
  path: readonly (string | number)[];
  valueFor(viewerId: string | undefined): unknown;
}

/** What a context carries for viewer-dependent fields. */
export interface ViewerAware {
  user?: { id: string };
  /** Present only in a shared execution. */
  viewerPatches?: ViewerPatch[];
}

export function perViewer<T>(
  context: ViewerAware,
  info: GraphQLResolveInfo,
  valueFor: (viewerId: string | undefined) => T,
): T {
  context.viewerPatches?.push({ path: responsePathAsArray(info.path), valueFor });
  return valueFor(context.user?.id);
}

/**
 * `result` as another viewer sees it: copies of only the objects on the patched paths, the rest
 * shared with the original (which stays untouched).
 */
export function forViewer<R extends object>(
  result: R,
  patches: readonly ViewerPatch[],
  viewerId: string | undefined,
): R {
  if (patches.length === 0) return result;
  const copies = new Map<object, Record<string | number, unknown>>();
  const copyOf = (node: object) => {
    let copy = copies.get(node);
    if (!copy) {
      copy = (Array.isArray(node) ? [...node] : { ...node }) as Record<string | number, unknown>;
      copies.set(node, copy);
    }
    return copy;
  };
  const root = copyOf(result);
  for (const patch of patches) {
    const path = ['data', ...patch.path];
    let source: unknown = result;
    let target = root;
    for (let i = 0; i < path.length - 1 && target; i++) {
      source = (source as Record<string | number, unknown>)[path[i]];
      if (typeof source !== 'object' || source === null) {
        target = undefined as never;
        break;
      }
      const child = copyOf(source);
      target[path[i]] = child;
      target = child;
    }
    if (target) target[path[path.length - 1]] = patch.valueFor(viewerId);
  }
  return root as R;
}
