/**
 * Structured JSON logs (pino) with a request id on every line of a request; the id comes from
 * `X-Request-Id` when a proxy sets it and is echoed back. Tokens and cookies are redacted (headers,
 * URL parameters, fields of logged objects, failed queries' parameters: redact.ts), and bodies
 * (which hold passwords) are never logged.
 */
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../config/app.config.js';
import { serializeError, serializeRequest } from './redact.js';

@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              const header = req.headers['x-request-id'];
              const id =
                typeof header === 'string' && /^[\w.-]{1,128}$/.test(header)
                  ? header
                  : randomUUID();
              res.setHeader('X-Request-Id', id);
              return id;
            },
            // Credentials in URLs and logged objects, and failed queries' parameters (redact.ts).
            serializers: { req: serializeRequest, err: serializeError },
            redact: [
              'req.headers.authorization',
              'req.headers.cookie',
              'res.headers["set-cookie"]',
            ],
            // Probes and scrapes would drown everything else.
            autoLogging: {
              ignore: (req) => /^\/(health|metrics)(\/|\?|$)/.test(req.url ?? ''),
            },
          },
        }),
      ],
    };
  }
}
