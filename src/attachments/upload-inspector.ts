/**
 * Watches an upload's bytes as they stream to storage, so nothing is read twice and nothing is
 * held whole in memory: counts them (failing the stream past the limit), hashes them (SHA-256),
 * keeps the first KiB, and checks whether they are plain text (valid UTF-8 without NUL or other
 * control characters but tab, CR and LF).
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { PayloadTooLargeError } from '../common/errors/domain-error.js';

/** How much of the start is kept for looking at (markup checks). */
export const HEAD_BYTES = 1024;

/** C0 controls but \t \n \r, DEL, and C1 controls: no plain text carries them. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

export interface InspectedUpload {
  size: number;
  sha256: string;
  /** Up to HEAD_BYTES from the start. */
  head: Buffer;
  /** Valid UTF-8 without control characters (other than \t \r \n) throughout. */
  isPlainText: boolean;
}

export class UploadInspector extends Transform {
  private size = 0;
  private readonly hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;
  private decoder: TextDecoder | undefined = new TextDecoder('utf-8', { fatal: true });
  private plainText = true;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      callback(new PayloadTooLargeError(`A file may have at most ${this.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    if (this.headLength < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.headLength);
      this.headChunks.push(part);
      this.headLength += part.length;
    }
    if (this.plainText) this.checkText(chunk, true);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    // A sequence cut off at the end is not valid UTF-8.
    if (this.plainText) this.checkText(Buffer.alloc(0), false);
    callback();
  }

  /** What was seen; call once the stream has ended. */
  result(): InspectedUpload {
    return {
      size: this.size,
      sha256: this.hash.digest('hex'),
      head: Buffer.concat(this.headChunks),
      isPlainText: this.plainText,
    };
  }

  private checkText(chunk: Buffer, more: boolean): void {
    try {
      if (CONTROL.test(this.decoder!.decode(chunk, { stream: more }))) this.plainText = false;
    } catch {
      this.plainText = false;
    }
    // Once not text, it stays so: stop decoding.
    if (!this.plainText) this.decoder = undefined;
  }
}
