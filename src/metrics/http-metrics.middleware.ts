/**
 * Times every HTTP request into chat_http_request_duration_seconds, labelled by the route's
 * pattern (`/conversations/:id/messages`), never its path: ids and made-up URLs must not become
 * label values.
 */
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppMetrics } from './app.metrics.js';

/** Paths served by middleware rather than routes (Apollo, the explorer), by prefix. */
const MOUNTED = ['/graphql/explorer', '/graphql', '/docs'];

export function routeLabel(req: Request, status: number): string {
  // A controller's route; wildcards are where Nest mounted middleware (Apollo's, the web app's).
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string' && !route.includes('*')) return `${req.baseUrl}${route}`;
  const path = req.originalUrl.split('?')[0];
  const mounted = MOUNTED.find((prefix) => path === prefix || path.startsWith(`${prefix}/`));
  if (mounted) return mounted;
  // The web client's page and assets; anything else is a miss (scanners, typos).
  return status < 400 ? '(static)' : '(unmatched)';
}

@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: AppMetrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = performance.now();
    res.once('finish', () => {
      this.metrics.httpDuration.observe(
        {
          method: req.method,
          route: routeLabel(req, res.statusCode),
          status: String(res.statusCode),
        },
        (performance.now() - started) / 1000,
      );
    });
    next();
  }
}
