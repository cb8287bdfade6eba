import { describe, expect, it, vi } from 'vitest';
import { PushStream } from './push.stream.js';

describe('PushStream', () => {
  it('hands out pushed values in order, buffered or awaited', async () => {
    const stream = new PushStream<number>(() => undefined);
    stream.push(1);
    stream.push(2);
    const waiting = [stream.next(), stream.next(), stream.next()];
    stream.push(3);
    expect(await Promise.all(waiting)).toEqual([
      { value: 1, done: false },
      { value: 2, done: false },
      { value: 3, done: false },
    ]);
  });

  it('ends a waiting consumer on return(), runs onClose once, and ignores later pushes', async () => {
    const onClose = vi.fn();
    const stream = new PushStream<number>(onClose);
    const waiting = stream.next();
    await stream.return();
    await stream.return();
    stream.push(1);
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('fails a consumer that falls too far behind, after what it was sent', async () => {
    const onClose = vi.fn();
    const stream = new PushStream<number>(onClose, 2);
    stream.push(1);
    stream.push(2);
    stream.push(3);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect((await stream.next()).value).toBe(1);
    expect((await stream.next()).value).toBe(2);
    await expect(stream.next()).rejects.toThrow(/behind/);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('works with for await, and break closes it', async () => {
    const onClose = vi.fn();
    const stream = new PushStream<number>(onClose);
    stream.push(1);
    stream.push(2);
    stream.push(3);
    const seen: number[] = [];
    for await (const value of stream) {
      seen.push(value);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([1, 2]);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});
