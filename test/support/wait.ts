/** Waiting without sleeping blind: poll a condition until it holds, or give up after a while. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` holds or `ms` have passed, looking every `everyMs`; whether it holds. */
export async function until(
  done: () => boolean | Promise<boolean>,
  ms: number,
  everyMs = 20,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
  return true;
}

/** Polls until `predicate` holds, failing with `what` after timeoutMs. */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<void> {
  if (!(await until(predicate, timeoutMs, everyMs)))
    throw new Error(`timed out waiting for ${what}`);
}
