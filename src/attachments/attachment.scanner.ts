/**
 * The malware-scanning hook: every upload passes through the injected AttachmentScanner after its
 * type was checked and before its row exists, so no one can download it unscanned. The default
 * does nothing; to use ClamAV, provide a scanner that streams `open()` to clamd (INSTREAM) and
 * bind it to ATTACHMENT_SCANNER in AttachmentsModule.
 */
import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';

export interface ScanSubject {
  /** The stored bytes, from the start. */
  open(): Promise<Readable>;
  contentType: string;
  size: number;
  sha256: string;
  fileName: string;
}

export type ScanVerdict = { clean: true } | { clean: false; reason: string };

export interface AttachmentScanner {
  /** Rejecting (scanner unreachable) fails the upload: nothing unscanned is kept. */
  scan(subject: ScanSubject): Promise<ScanVerdict>;
}

export const ATTACHMENT_SCANNER = Symbol('AttachmentScanner');

@Injectable()
export class NoopAttachmentScanner implements AttachmentScanner {
  scan(): Promise<ScanVerdict> {
    return Promise.resolve({ clean: true });
  }
}
