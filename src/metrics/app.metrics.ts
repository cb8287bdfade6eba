/**
 * Every Prometheus metric of the server, named and described in one place (the Grafana dashboard,
 * deploy/grafana-dashboard.json, and the README list the same names). Modules that own a number
 * record it here: counters and histograms as things happen, gauges read at scrape time from their
 * owner (`from`). Labels are bounded sets (routes, codes, status, operation names capped below):
 * never a user id, a conversation id or free text.
 *
 * What a message costs: one histogram observation when its send publishes, and one integer
 * increment per delivered frame (a Tally). Everything else is per request or read at scrape time.
 */
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppConfig } from '../config/app.config.js';

/** A counter for the hottest paths: `inc` adds to a plain number, handed over at scrape time. */
export interface Tally {
  inc(): void;
}

/** A gauge whose value is read when Prometheus scrapes, from whoever owns the number. */
export interface SampledGauge<Value> {
  from(read: () => Value): void;
}

/** Distinct operation names tracked; more (a client making names up) count as `(other)`. */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
const ERROR_CODE = /^[A-Z][A-Z_]{0,39}$/;
const EVENT_TYPE = /^[A-Za-z]{1,40}$/;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

@Injectable()
export class AppMetrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'chat_http_request_duration_seconds',
    help: 'HTTP requests, by method, route (the pattern, not the path) and status',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'chat_graphql_operation_duration_seconds',
    help: 'GraphQL operations over HTTP, by operation name and type',
    labelNames: ['operation', 'type'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly graphqlErrors = new Counter({
    name: 'chat_graphql_errors_total',
    help: 'Errors in GraphQL answers over HTTP, by operation name and extensions.code',
    labelNames: ['operation', 'code'],
    registers: [this.registry],
  });

  readonly deliveries = this.tally(
    'chat_ws_deliveries_total',
    'Results sent to subscribers over WebSocket (one per subscriber per event)',
  );

  readonly publishDuration = new Histogram({
    name: 'chat_event_publish_duration_seconds',
    help: 'Publishing an event after its commit (a send: messageAdded), until Redis took every channel',
    labelNames: ['event'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly presenceChanges = new Counter({
    name: 'chat_presence_changes_total',
    help: 'Presence changes this instance made (each change is made by one instance)',
    labelNames: ['status'],
    registers: [this.registry],
  });

  readonly rateLimitUnchecked = new Counter({
    name: 'chat_rate_limit_unchecked_total',
    help: 'Rate-limit checks let through unchecked because Redis failed or did not answer within RATE_LIMIT_REDIS_TIMEOUT_MS, by limit and reason (timeout; stalled: not sent while another check waited on a Redis that had timed out; error)',
    labelNames: ['limit', 'reason'],
    registers: [this.registry],
  });

  readonly pushes = new Counter({
    name: 'chat_push_outcomes_total',
    help: 'Push jobs this worker finished, by outcome: each device delivered, gone (removed), retry or failed, and jobs skipped (read, online, muted, deleted, left or no device)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly wsConnections = this.sampled(
    'chat_ws_connections',
    'Authenticated WebSocket connections open on this instance',
  );
  readonly subscriptions = this.sampled(
    'chat_pubsub_subscriptions',
    'Live event-bus subscriptions on this instance (what open GraphQL subscriptions listen to)',
  );
  readonly redisConnected = this.sampledByLabel(
    'chat_redis_connected',
    'Whether each Redis connection is ready (1) or not (0); absent without REDIS_URL',
    'connection',
  );
  readonly databasePool = this.sampledByLabel(
    'chat_db_pool_connections',
    'PostgreSQL pool: connections open (total), idle, and queries waiting for one',
    'state',
  );

  private readonly operationNames = new Set<string>();

  constructor(config: AppConfig) {
    // Process CPU, memory, GC, handles and event-loop lag (nodejs_eventloop_lag_*). Not when
    // nobody may scrape: the event-loop monitor and GC observer then cost for nothing.
    if (config.metrics.enabled) collectDefaultMetrics({ register: this.registry });
  }

  /** The `operation` label: the document's operation name, from a bounded set. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return '(anonymous)';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES || !OPERATION_NAME.test(name)) {
      return '(other)';
    }
    this.operationNames.add(name);
    return name;
  }

  /** The `code` label: an error's extensions.code, when it looks like one of ours. */
  codeLabel(code: unknown): string {
    return typeof code === 'string' && ERROR_CODE.test(code) ? code : 'OTHER';
  }

  /** The `event` label of a published payload: its `type` (set by the code that publishes). */
  eventLabel(payload: object): string {
    const type = (payload as { type?: unknown }).type;
    return typeof type === 'string' && EVENT_TYPE.test(type) ? type : 'other';
  }

  /** The text Prometheus scrapes. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private tally(name: string, help: string): Tally {
    let count = 0;
    let reported = 0;
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.inc(count - reported);
        reported = count;
      },
    });
    return { inc: () => void count++ };
  }

  private sampled(name: string, help: string): SampledGauge<number> {
    let read: (() => number) | undefined;
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        if (read) this.set(read());
      },
    });
    return { from: (fn) => (read = fn) };
  }

  private sampledByLabel(
    name: string,
    help: string,
    label: string,
  ): SampledGauge<Readonly<Record<string, number>>> {
    let read: (() => Readonly<Record<string, number>>) | undefined;
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        if (!read) return;
        for (const [value, n] of Object.entries(read())) this.set({ [label]: value }, n);
      },
    });
    return { from: (fn) => (read = fn) };
  }
}
