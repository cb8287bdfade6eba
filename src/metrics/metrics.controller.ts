/**
 * GET /metrics for Prometheus. Registered only when metrics are enabled (see AppConfig.metrics):
 * production without METRICS_TOKEN has no such route (404). With a token, the scrape must carry
 * `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials: … }`).
 */
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../common/auth/public.decorator.js';
import { UnauthenticatedError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app.config.js';
import { AppMetrics } from './app.metrics.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

// Not the users' bearer tokens: the global guard is skipped, this checks its own.
@Public()
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  private readonly expected?: Buffer;

  constructor(
    config: AppConfig,
    private readonly metrics: AppMetrics,
  ) {
    if (config.metrics.token) this.expected = digest(`Bearer ${config.metrics.token}`);
  }

  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    // Compared as digests: equal lengths, and no timing that tells how much of a guess matched.
    if (this.expected && !timingSafeEqual(digest(authorization ?? ''), this.expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new UnauthenticatedError('A valid metrics token is required');
    }
    res.setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await this.metrics.scrape());
  }
}
