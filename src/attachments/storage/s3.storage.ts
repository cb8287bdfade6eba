/**
 * Attachments in an S3-compatible object store (AWS S3, MinIO, R2, …), shared by every instance.
 * Uploads stream through lib-storage's Upload: one PUT for small files, a multipart upload in
 * 5 MiB parts otherwise, never the whole file in memory. An object becomes visible only when the
 * upload completes; a failed one is aborted, so no parts are left behind.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { S3StorageConfig } from '../../config/app.config.js';
import {
  StoredObjectMissingError,
  type AttachmentStorage,
  type ByteRange,
} from './attachment.storage.js';

export function createS3Client(config: S3StorageConfig): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials: config.credentials,
  });
}

export class S3Storage implements AttachmentStorage {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Readable): Promise<void> {
    // A body that fails (over the limit, client gone) fails done(), which first aborts a multipart
    // upload so that no parts are left behind (leavePartsOnError is false by default).
    await new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body },
      // At most two 5 MiB parts in memory per upload.
      queueSize: 2,
    }).done();
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const result = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      // In Node the body is an IncomingMessage (a Readable).
      return result.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw new StoredObjectMissingError(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers a delete of a missing key with success.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
