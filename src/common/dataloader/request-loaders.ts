/**
 * DataLoaders scoped to one GraphQL operation. Features ask for their loader by a key they own
 * (usually the loader-defining service itself), so the context needs no list of every loader.
 */
import DataLoader from 'dataloader';

export class RequestLoaders {
  /** Made on first use: a subscription's context holds one for hours, mostly never used. */
  private loaders?: Map<object, DataLoader<unknown, unknown>>;

  get<K, V>(owner: object, create: () => DataLoader<K, V>): DataLoader<K, V> {
    this.loaders ??= new Map();
    let loader = this.loaders.get(owner) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = create();
      this.loaders.set(owner, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  }
}

/** Orders batch results to match the requested keys (DataLoader's contract); missing → null. */
export function byKeys<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

/** Groups batch rows under the requested keys, in row order; a key without rows gets []. */
export function groupByKeys<K, V, R = V>(
  keys: readonly K[],
  rows: readonly V[],
  keyOf: (row: V) => K,
  valueOf: (row: V) => R = (row) => row as unknown as R,
): R[][] {
  const groups = new Map<K, R[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(valueOf(row));
  return keys.map((key) => groups.get(key)!);
}
