/**
 * Attachments: receiving uploads (participants only; streamed, measured, typed by their bytes,
 * scanned, then recorded), serving downloads to participants (with byte ranges and headers that
 * keep browsers from rendering them), and sweeping uploads that were never sent.
 *
 * An upload's life: bytes stream to storage under a generated key while they are counted and
 * hashed; the stored bytes are typed and scanned; only then is the row inserted, so a file
 * without a row is never downloadable and any failure deletes the stored bytes. A message takes
 * the upload in the same statement that stores the message (MessagesRepository.insertNext).
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BadUserInputError,
  DomainError,
  NotFoundError,
  ServiceUnavailableError,
} from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app.config.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import type { Attachment } from './attachment.entity.js';
import { ATTACHMENT_SCANNER, type AttachmentScanner } from './attachment.scanner.js';
import { AttachmentsRepository } from './attachments.repository.js';
import { parseRange } from './byte-range.js';
import { detectContentType, essenceOf, isAllowedType, PLAIN_TEXT } from './content-type.js';
import { attachmentDisposition, sanitizeFileName, withFittingExtension } from './file-name.js';
import { receiveFile } from './multipart.js';
import {
  ATTACHMENT_STORAGE,
  StoredObjectMissingError,
  type AttachmentStorage,
} from './storage/attachment.storage.js';
import { UploadInspector, type InspectedUpload } from './upload-inspector.js';

/** The multipart field that carries the file. */
export const FILE_FIELD = 'file';
const SWEEP_BATCH = 500;

/** What GET /files/:id answers: status, headers and (except for 416) the bytes. */
export interface FileDownload {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  body?: Readable;
}

interface ReceivedUpload {
  id: string;
  storageKey: string;
  conversationId: string;
  uploaderId: string;
  clientFileName: string | undefined;
  inspected: InspectedUpload;
}

@Injectable()
export class AttachmentsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Attachments');
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

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
    const { maxBytes } = this.config.uploads;
    try {
      const received = await receiveFile(
        req,
        { fieldName: FILE_FIELD, maxBytes },
        async (file) => ({
          clientFileName: file.fileName,
          inspected: await this.store(storageKey, file.stream),
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

  /** The file for a participant of its conversation, whole or the requested byte range. */
  async download(
    userId: string,
    attachmentId: string,
    request: { range?: string; ifRange?: string },
  ): Promise<FileDownload> {
    const attachment = await this.attachments.findVisibleTo(attachmentId, userId);
    if (!attachment) throw new NotFoundError('File');
    const { size } = attachment;
    const etag = `"${attachment.sha256}"`;
    // If-Range naming another version means "send it all" (a file never changes, but be exact).
    const range =
      request.ifRange === undefined || request.ifRange === etag ? request.range : undefined;
    const wanted = parseRange(range, size);
    const safety = {
      // Never rendered by the browser, never sniffed into something else, never able to run.
      'Content-Disposition': attachmentDisposition(attachment.fileName),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'",
      'Cache-Control': 'private, no-store',
    };
    if (wanted.kind === 'unsatisfiable') {
      return { status: 416, headers: { ...safety, 'Content-Range': `bytes */${size}` } };
    }
    const byteRange = wanted.kind === 'partial' ? wanted.range : undefined;
    const body = await this.storage.read(attachment.storageKey, byteRange).catch((error) => {
      if (!(error instanceof StoredObjectMissingError)) throw error;
      this.logger.error(`attachment ${attachment.id} has no stored bytes`);
      throw new NotFoundError('File');
    });
    const headers: Record<string, string> = {
      ...safety,
      // Plain text was checked to be UTF-8: saying so leaves browsers nothing to guess.
      'Content-Type':
        attachment.contentType === PLAIN_TEXT
          ? `${PLAIN_TEXT}; charset=utf-8`
          : attachment.contentType,
      'Accept-Ranges': 'bytes',
      ETag: etag,
    };
    if (!byteRange)
      return { status: 200, headers: { ...headers, 'Content-Length': String(size) }, body };
    return {
      status: 206,
      headers: {
        ...headers,
        'Content-Length': String(byteRange.end - byteRange.start + 1),
        'Content-Range': `bytes ${byteRange.start}-${byteRange.end}/${size}`,
      },
      body,
    };
  }

  /**
   * Deletes uploads created before `cutoff` (by default UPLOAD_UNATTACHED_TTL_SECONDS ago) that no
   * message took: rows first (so no send can take one meanwhile), then their bytes. Returns how
   * many went.
   */
  async sweepUnattached(
    cutoff = new Date(Date.now() - this.config.uploads.unattachedTtlSeconds * 1000),
  ): Promise<number> {
    let removed = 0;
    for (;;) {
      const keys = await this.attachments.deleteUnattachedBefore(cutoff, SWEEP_BATCH);
      for (const key of keys) {
        // A file left behind is only wasted space: log it and go on.
        await this.storage
          .delete(key)
          .catch((e: unknown) => this.logger.warn(`could not delete ${key}: ${String(e)}`));
      }
      removed += keys.length;
      if (keys.length < SWEEP_BATCH) break;
    }
    await this.storage.removeDebris?.();
    if (removed > 0) this.logger.log(`swept ${removed} upload(s) that were never sent`);
    return removed;
  }

  onApplicationBootstrap(): void {
    const seconds = this.config.uploads.sweepIntervalSeconds;
    if (seconds === 0 || !this.config.servesHttpApi) return;
    // unref: the timer alone never keeps the process alive.
    this.sweepTimer = setInterval(() => void this.sweepInBackground(), seconds * 1000).unref();
  }

  /** A sweep under way finishes first: its rows are gone, its files must go too. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.sweeping;
  }

  private async sweepInBackground(): Promise<void> {
    if (this.sweeping) return; // a slow sweep is not overtaken by the next one
    this.sweeping = this.sweepUnattached().then(
      () => undefined,
      (error: unknown) => this.logger.warn(`sweep of unattached uploads failed: ${String(error)}`),
    );
    await this.sweeping;
    this.sweeping = undefined;
  }

  /** Streams the file to storage through the inspector; what the inspector saw. */
  private async store(storageKey: string, source: Readable): Promise<InspectedUpload> {
    const inspector = new UploadInspector(this.config.uploads.maxBytes);
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
