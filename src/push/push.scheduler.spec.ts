import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app.config.js';
import type { PushJobsRepository } from './push-jobs.repository.js';
import { PushScheduler } from './push.scheduler.js';

/** Push on (any valid VAPID-shaped keys), over a repository that says how many jobs it made. */
function scheduler(made: number[]) {
  const config = loadConfig({
    WEB_PUSH_VAPID_PUBLIC_KEY: 'B'.repeat(87),
    WEB_PUSH_VAPID_PRIVATE_KEY: 'p'.repeat(43),
    WEB_PUSH_SUBJECT: 'mailto:ops@example.com',
    PUSH_DELAY_SECONDS: '3',
  });
  const jobs = {
    enqueue: () => Promise.resolve(made.shift() ?? 0),
  } as unknown as PushJobsRepository;
  return new PushScheduler(config, jobs);
}

const message = (id: string) => ({ id, conversationId: 'c1', senderId: 'u1' });

describe('PushScheduler', () => {
  it('wakes the worker only after a send that made jobs', async () => {
    const s = scheduler([0, 2, 0]);
    const woken: number[] = [];
    s.onScheduled((inMs) => woken.push(inMs));
    for (const id of ['m1', 'm2', 'm3']) s.messageSent(message(id));
    // Waits for the enqueues under way, as a shutdown does.
    await s.beforeApplicationShutdown();
    expect(woken).toEqual([3000]);
  });
});
