import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app.config.js';
import { AppMetrics } from './app.metrics.js';

const metrics = () => new AppMetrics({ metrics: { enabled: false } } as AppConfig);

describe('AppMetrics labels', () => {
  it('keep operation names, up to a bounded number of them', () => {
    const m = metrics();
    expect(m.operationLabel('SendMessage')).toBe('SendMessage');
    expect(m.operationLabel(undefined)).toBe('(anonymous)');
    expect(m.operationLabel('x'.repeat(65))).toBe('(other)');
    for (let i = 0; i < 300; i++) m.operationLabel(`Made_up_${i}`);
    expect(m.operationLabel('Made_up_1')).toBe('Made_up_1');
    expect(m.operationLabel('Made_up_299')).toBe('(other)');
    // A name seen before the cap keeps counting under its own name.
    expect(m.operationLabel('SendMessage')).toBe('SendMessage');
  });

  it('keep error codes and event types that look like ours, and nothing else', () => {
    const m = metrics();
    expect(m.codeLabel('NOT_FOUND')).toBe('NOT_FOUND');
    expect(m.codeLabel('drop table users')).toBe('OTHER');
    expect(m.codeLabel(42)).toBe('OTHER');
    expect(m.eventLabel({ type: 'messageAdded' })).toBe('messageAdded');
    expect(m.eventLabel({ type: 'user:1234' })).toBe('other');
    expect(m.eventLabel({})).toBe('other');
  });

  it('read gauges from their owners at scrape time', async () => {
    const m = metrics();
    let open = 3;
    m.wsConnections.from(() => open);
    m.databasePool.from(() => ({ total: 4, idle: 1, waiting: 0 }));
    expect(await m.scrape()).toMatch(/^chat_ws_connections 3$/m);
    open = 5;
    const text = await m.scrape();
    expect(text).toMatch(/^chat_ws_connections 5$/m);
    expect(text).toMatch(/^chat_db_pool_connections\{state="idle"\} 1$/m);
    // Without Redis, no Redis samples at all (rather than a misleading 0).
    expect(text).not.toMatch(/^chat_redis_connected\{/m);
  });
});
