/**
 * Receiving uploads: participants only; the bytes stream to storage under a generated key while
 * they are counted and hashed; the stored bytes are typed and scanned; only then is the row
 * inserted, so a file without a row is never downloadable and any failure deletes the stored
 * bytes. A message takes the upload in the same statement that stores the message
 * (MessagesRepository.insertNext).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BadUserInputError,
  DomainError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
} from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app.config.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import type { Attachment } from './attachment.entity.js';
import { ATTACHMENT_SCANNER, type AttachmentScanner } from './attachment.scanner.js';
import { AttachmentsRepository } from './attachments.repository.js';
import { detectContentType, essenceOf, isAllowedType } from './content-type.js';
import { sanitizeFileName, withFittingExtension } from './file-name.js';
import { receiveFile } from './multipart.js';
import { ATTACHMENT_STORAGE, type AttachmentStorage } from './storage/attachment.storage.js';
import { UploadInspector, type InspectedUpload } from './upload-inspector.js';

/** The multipart field that carries the file. */
export const FILE_FIELD = 'file';

interface ReceivedUpload {
  id: string;
  storageKey: string;
  conversationId: string;
  uploaderId: string;
  clientFileName: string | undefined;
  inspected: InspectedUpload;
}

@Injectable()
export class AttachmentIntakeService {
  private readonly logger = new Logger('Attachments');

  constructor(
    private readonly attachments: AttachmentsRepository,
    private readonly conversations: ConversationsService,
    @Inject(ATTACHMENT_STORAGE) private readonly storage: AttachmentStorage,
    @Inject(ATTACHMENT_SCANNER) private readonly scanner: AttachmentScanner,
    private readonly config: AppConfig,
    private readonly rateLimiter: RateLimiter,
  ) {}

  /** Receives the `file` field of a multipart request into the conversation. */
  async upload(
    uploaderId: string,
    conversationId: string,
    req: IncomingMessage,
  ): Promise<Attachment> {
    // Strangers and floods are turned away before a byte is stored.
    await this.conversations.assertParticipant(conversationId, uploaderId);
    await this.rateLimiter.consume('uploads', uploaderId);
    const id = randomUUID();
    // Two-level fan-out keeps directories (and S3 listings) small.
    const storageKey = `${id.slice(0, 2)}/${id}`;
    const maxBytes = await this.maxBytesFor(uploaderId);
    try {
      const received = await receiveFile(
        req,
        { fieldName: FILE_FIELD, maxBytes },
        async (file) => ({
          clientFileName: file.fileName,
          inspected: await this.store(storageKey, file.stream, maxBytes),
        }),
      );
      return await this.accept({ id, storageKey, conversationId, uploaderId, ...received });
    } catch (error) {
      // Whatever went wrong, nothing of the upload stays.
      await this.storage
        .delete(storageKey)
        .catch((e: unknown) => this.logger.warn(`could not delete ${storageKey}: ${String(e)}`));
      throw error;
    }
  }

  /**
   * The largest this upload may be: MAX_UPLOAD_BYTES, or less when the user's unattached uploads
   * (kept until attached or swept) come near UPLOAD_UNATTACHED_QUOTA_BYTES; none at all past it.
   */
  private async maxBytesFor(uploaderId: string): Promise<number> {
    const { maxBytes, unattachedQuotaBytes } = this.config.uploads;
    const left = unattachedQuotaBytes - (await this.attachments.unattachedBytesOf(uploaderId));
    if (left <= 0) {
      throw new PayloadTooLargeError(
        'Your unattached uploads fill your quota: send them in a message, or wait until they expire',
      );
    }
    return Math.min(maxBytes, left);
  }

  /** Streams the file to storage through the inspector; what the inspector saw. */
  private async store(
    storageKey: string,
    source: Readable,
    maxBytes: number,
  ): Promise<InspectedUpload> {
    const inspector = new UploadInspector(maxBytes);
    const results = await Promise.allSettled([
      pipeline(source, inspector),
      this.storage.put(storageKey, inspector),
    ]);
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    // The reason the client must hear (too large) beats the consequences (a stream cut short).
    if (errors.length > 0) throw errors.find((e) => e instanceof DomainError) ?? errors[0];
    return inspector.result();
  }

  /** Checks what was stored and records it; throws (and upload() deletes it) when refused. */
  private async accept(upload: ReceivedUpload): Promise<Attachment> {
    const { inspected, storageKey } = upload;
    if (inspected.size === 0) throw new BadUserInputError('The file is empty');
    const open = () => this.storage.read(storageKey);
    const detected = await detectContentType(open, inspected);
    if (!detected || !isAllowedType(detected.contentType, this.config.uploads.allowedTypes)) {
      throw new BadUserInputError(
        detected
          ? `Files of type ${essenceOf(detected.contentType)} are not accepted`
          : 'The file is of no accepted type',
      );
    }
    const fileName = withFittingExtension(
      sanitizeFileName(upload.clientFileName),
      detected.extension,
    );
    const verdict = await this.scanner
      .scan({
        open,
        contentType: detected.contentType,
        size: inspected.size,
        sha256: inspected.sha256,
        fileName,
      })
      .catch((error: unknown) => {
        // Unscanned is not accepted: the client may retry once the scanner is back.
        this.logger.error({ err: error }, `upload ${upload.id}: the scanner failed`);
        throw new ServiceUnavailableError();
      });
    if (!verdict.clean) {
      this.logger.warn(`upload ${upload.id} refused by the scanner: ${verdict.reason}`);
      throw new BadUserInputError('The file was refused by the malware scan');
    }
    const attachment = await this.attachments.insertForParticipant({
      id: upload.id,
      conversationId: upload.conversationId,
      uploaderId: upload.uploaderId,
      fileName,
      contentType: detected.contentType,
      size: inspected.size,
      sha256: inspected.sha256,
      storageKey,
    });
    // The uploader left the conversation while uploading.
    if (!attachment) throw new NotFoundError('Conversation');
    return attachment;
  }
}
