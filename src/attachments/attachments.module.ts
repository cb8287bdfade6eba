/**
 * Attachments: uploads into conversations, downloads, the Attachment GraphQL type, and where the
 * bytes are kept (local disk or S3, per STORAGE). `Message.attachments` is resolved in messages/.
 */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app.config.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { Attachment } from './attachment.entity.js';
import { AttachmentDownloadService } from './attachment-download.service.js';
import { AttachmentIntakeService } from './attachment-intake.service.js';
import { AttachmentResolver } from './attachment.resolver.js';
import { ATTACHMENT_SCANNER, NoopAttachmentScanner } from './attachment.scanner.js';
import { AttachmentsController } from './attachments.controller.js';
import { AttachmentsLoader } from './attachments.loader.js';
import { StoredBytesService } from './stored-bytes.service.js';
import { ConversationAvatarResolver } from './conversation-avatar.resolver.js';
import { AttachmentsRepository } from './attachments.repository.js';
import { ATTACHMENT_STORAGE, type AttachmentStorage } from './storage/attachment.storage.js';
import { LocalDiskStorage } from './storage/local-disk.storage.js';
import { createS3Client, S3Storage } from './storage/s3.storage.js';
import { UnattachedSweepService } from './unattached-sweep.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Attachment]), ConversationsModule],
  controllers: [AttachmentsController],
  providers: [
    AttachmentsRepository,
    AttachmentIntakeService,
    AttachmentDownloadService,
    UnattachedSweepService,
    AttachmentsLoader,
    AttachmentResolver,
    ConversationAvatarResolver,
    StoredBytesService,
    {
      provide: ATTACHMENT_STORAGE,
      inject: [AppConfig],
      useFactory: (config: AppConfig): AttachmentStorage =>
        config.storage.kind === 's3'
          ? new S3Storage(createS3Client(config.storage), config.storage.bucket)
          : new LocalDiskStorage(config.storage.dir),
    },
    // Replace with a real scanner (e.g. ClamAV) by binding another class to this token.
    { provide: ATTACHMENT_SCANNER, useClass: NoopAttachmentScanner },
  ],
  // Messages read a page's attachments (REST answers, replays, the Message.attachments field);
  // profiles keep avatars in the same storage.
  exports: [AttachmentsRepository, AttachmentsLoader, ATTACHMENT_STORAGE, StoredBytesService],
})
export class AttachmentsModule {}
