/**
 * Push notifications for members who are away: devices (GraphQL), the jobs a send makes, and the
 * worker that pushes them (APP_ROLE=worker or all). Transports: Web Push today (FCM and APNs
 * would be more entries of PUSH_TRANSPORTS).
 */
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app.config.js';
import { PresenceModule } from '../presence/presence.module.js';
import { PushDevicesRepository } from './push-devices.repository.js';
import { PushDevicesService } from './push-devices.service.js';
import { PushJobsRepository } from './push-jobs.repository.js';
import { PushResolver } from './push.resolver.js';
import { PushScheduler } from './push.scheduler.js';
import { PUSH_TRANSPORTS, type PushTransport } from './push.transport.js';
import { PushWorker } from './push.worker.js';
import { WebPushTransport } from './web-push.transport.js';

@Module({
  imports: [PresenceModule],
  providers: [
    {
      provide: PUSH_TRANSPORTS,
      inject: [AppConfig],
      useFactory: (config: AppConfig): PushTransport[] =>
        config.push.vapid ? [new WebPushTransport(config.push.vapid)] : [],
    },
    PushDevicesRepository,
    PushJobsRepository,
    PushDevicesService,
    PushResolver,
    PushScheduler,
    PushWorker,
  ],
  exports: [PushScheduler],
})
export class PushModule {}
