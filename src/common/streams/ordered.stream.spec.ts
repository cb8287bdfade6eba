/**
 * The ordered stream with a hand-written source: replay then live without gap or repeat, gaps
 * filled from the store (numbers a later change superseded may be absent), the end after a last
 * value. Each case fails with its feature broken (no dedupe, no gap fill, no isLast).
 */
import { describe, expect, it } from 'vitest';
import { openOrdered, type OrderedSource } from './ordered.stream.js';

interface Value {
  n: number;
  last?: boolean;
}

function world(stored: number[], batch = 3) {
  const handlers = new Set<(v: Value) => void>();
  const store = stored.map((n) => ({ n }));
  const source: OrderedSource<Value> = {
    listen: (handler) => {
      handlers.add(handler);
      return Promise.resolve(() => void handlers.delete(handler));
    },
    position: () => Promise.resolve(Math.max(0, ...store.map((v) => v.n))),
    replay: (after, before) =>
      Promise.resolve(
        store
          .filter((v) => v.n > after && (before === undefined || v.n < before))
          .sort((x, y) => x.n - y.n)
          .slice(0, batch),
      ),
    batch,
    numberOf: (v) => v.n,
    isLast: (v) => v.last === true,
  };
  return {
    source,
    store: (v: Value) => void store.push(v),
    publish: (v: Value) => handlers.forEach((h) => h(v)),
    listeners: () => handlers.size,
  };
}

async function take(stream: AsyncIterableIterator<Value>, count: number): Promise<number[]> {
  const got: number[] = [];
  while (got.length < count) {
    const next = await stream.next();
    if (next.done) break;
    got.push(next.value.n);
  }
  return got;
}

describe('openOrdered', () => {
  it('replays after the number given, in batches, skipping superseded numbers, then goes live', async () => {
    const w = world([1, 2, 4, 5, 7, 8, 9]);
    const stream = await openOrdered(w.source, 2);
    w.publish({ n: 9 }); // heard while replaying: delivered once
    w.store({ n: 10 });
    w.publish({ n: 10 });
    expect(await take(stream, 6)).toEqual([4, 5, 7, 8, 9, 10]);
    await stream.return?.();
    expect(w.listeners()).toBe(0);
  });

  it('fills a gap before a live value from the store', async () => {
    const w = world([1]);
    const stream = await openOrdered(w.source, undefined);
    w.store({ n: 2 });
    w.store({ n: 4 }); // 3 was superseded by a later change: absent
    w.store({ n: 5 });
    w.publish({ n: 5 });
    w.publish({ n: 4 }); // overtaken: already delivered by the fill
    w.store({ n: 6 });
    w.publish({ n: 6 });
    expect(await take(stream, 4)).toEqual([2, 4, 5, 6]);
    await stream.return?.();
  });

  it('ends after a last value and stops listening', async () => {
    const w = world([1]);
    const stream = await openOrdered(w.source, undefined);
    w.publish({ n: 2 });
    w.publish({ n: 3, last: true });
    w.publish({ n: 4 });
    expect(await take(stream, 10)).toEqual([2, 3]);
    expect((await stream.next()).done).toBe(true);
    expect(w.listeners()).toBe(0);
  });

  it('stops listening when the access check refuses', async () => {
    const w = world([]);
    w.source.position = () => Promise.reject(new Error('NOT_FOUND'));
    await expect(openOrdered(w.source, 0)).rejects.toThrow('NOT_FOUND');
    expect(w.listeners()).toBe(0);
  });
});
