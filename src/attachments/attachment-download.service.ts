/**
 * Serving a download to a participant of the file's conversation (anyone else: NOT_FOUND, as for
 * an unknown id): the whole file or one byte range (If-Range by ETag), with headers that keep
 * browsers from rendering, sniffing or running it.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { NotFoundError } from '../common/errors/domain-error.js';
import { AttachmentsRepository } from './attachments.repository.js';
import { parseRange } from './byte-range.js';
import { PLAIN_TEXT } from './content-type.js';
import { attachmentDisposition } from './file-name.js';
import {
  ATTACHMENT_STORAGE,
  StoredObjectMissingError,
  type AttachmentStorage,
} from './storage/attachment.storage.js';

/** What GET /files/:id answers: status, headers and (except for 416) the bytes. */
export interface FileDownload {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  body?: Readable;
}

@Injectable()
export class AttachmentDownloadService {
  private readonly logger = new Logger('Attachments');

  constructor(
    private readonly attachments: AttachmentsRepository,
    @Inject(ATTACHMENT_STORAGE) private readonly storage: AttachmentStorage,
  ) {}

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
}
