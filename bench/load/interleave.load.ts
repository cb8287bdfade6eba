/**
 * Timing several operations against each other on a shared machine: one call of each per round,
 * the order rotating every round, so a burst of someone else's load lands on all of them alike
 * (timing one after the other in phases let a busy minute fall on one phase only).
 */
import { summarize, type Summary } from './stats.load.js';

/** `runs` rounds after `warmup` untimed ones; milliseconds per operation. */
export async function timeInterleaved(
  runs: number,
  operations: Record<string, () => Promise<unknown>>,
  warmup = 20,
): Promise<Record<string, Summary>> {
  const names = Object.keys(operations);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      const start = performance.now();
      await operations[name]();
      if (round >= warmup) samples[name].push(performance.now() - start);
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(samples[n])]));
}
