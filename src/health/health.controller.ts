/**
 * Liveness (the process answers) and readiness (the database and, when configured, Redis answer)
 * for load balancers and orchestrators. Public: probes carry no token. Dependency response times
 * tell an outsider how loaded the system is: only a trusted proxy (TRUSTED_PROXIES, the peer
 * itself) or a caller with the metrics token sees them; everyone gets the statuses.
 */
import { Controller, Get, Req, ServiceUnavailableException } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app.config.js';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { ApiTags } from '@nestjs/swagger';
import { RedisConnections } from '../pubsub/pubsub.module.js';
import { Public } from '../common/auth/public.decorator.js';

const PROBE_TIMEOUT_MS = 1500;

@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisConnections,
    private readonly config: AppConfig,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  async ready(@Req() req: Request): Promise<HealthCheckResult> {
    const timings = this.maySeeTimings(req);
    try {
      const result = await this.check();
      return timings ? result : withoutTimings(result);
    } catch (error) {
      if (timings || !(error instanceof ServiceUnavailableException)) throw error;
      throw new ServiceUnavailableException(
        withoutTimings(error.getResponse() as HealthCheckResult),
      );
    }
  }

  private maySeeTimings(req: Request): boolean {
    const peer = req.socket.remoteAddress;
    const trust = req.app.get('trust proxy fn') as
      ((address: string, i: number) => boolean) | undefined;
    if (peer && this.config.http.trustedProxies.length > 0 && trust?.(peer, 0)) return true;
    const token = this.config.metrics.token;
    return token !== undefined && sameText(req.headers.authorization ?? '', `Bearer ${token}`);
  }

  private check(): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [
      () => this.database.pingCheck('database', { timeout: PROBE_TIMEOUT_MS }),
    ];
    if (this.redis.configured) {
      checks.push(() =>
        this.indicators
          .check('redis')
          .attempt(() => this.redis.ping())
          .withTimeout(PROBE_TIMEOUT_MS),
      );
    }
    return this.health.check(checks);
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();
/** Compared as digests: equal lengths, and no timing that tells how much of a guess matched. */
const sameText = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** The result with every indicator's responseTime left out. */
function withoutTimings(result: HealthCheckResult): HealthCheckResult {
  const strip = (section?: object) =>
    section &&
    Object.fromEntries(
      Object.entries(section as Record<string, Record<string, unknown>>).map(
        ([name, { responseTime: _t, ...rest }]) => [name, rest],
      ),
    );
  return {
    ...result,
    info: strip(result.info),
    error: strip(result.error),
    details: strip(result.details) ?? {},
  } as HealthCheckResult;
}
