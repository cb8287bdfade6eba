/**
 * S3Storage against a mocked client (no S3 here): which commands it sends, with what, and how it
 * reads the answers. The real S3Client is used with its `send` replaced, so lib-storage's Upload
 * runs for real on top of it.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { describe, expect, it, vi } from 'vitest';
import { StoredObjectMissingError } from './attachment.storage.js';
import { createS3Client, S3Storage } from './s3.storage.js';

type Command = { input: Record<string, unknown>; constructor: { name: string } };

function mockedClient(answer: (command: Command) => Promise<unknown> | unknown = () => ({})) {
  const client = createS3Client({
    kind: 's3',
    bucket: 'chat',
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    forcePathStyle: true,
  });
  const sent: Command[] = [];
  vi.spyOn(client, 'send').mockImplementation((async (command: Command) => {
    sent.push(command);
    // Consume streamed bodies as S3 would.
    const body = command.input.Body;
    if (body instanceof Uint8Array || body instanceof Readable) {
      command.input.Body = body instanceof Readable ? await buffer(body) : body;
    }
    return answer(command);
  }) as unknown as S3Client['send']);
  return { client, sent };
}

const notFound = (name: string) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 404 } });

describe('S3Storage', () => {
  it('puts a small file with one PutObject of its bytes', async () => {
    const { client, sent } = mockedClient();
    await new S3Storage(client, 'chat').put('ab/abc', Readable.from([Buffer.from('hello')]));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(PutObjectCommand);
    expect(sent[0].input).toMatchObject({ Bucket: 'chat', Key: 'ab/abc' });
    expect(Buffer.from(sent[0].input.Body as Uint8Array).toString()).toBe('hello');
  });

  it('streams a large file as a multipart upload in 5 MiB parts', async () => {
    const { client, sent } = mockedClient((command) => {
      if (command instanceof CreateMultipartUploadCommand) return { UploadId: 'u1' };
      if (command instanceof UploadPartCommand)
        return { ETag: `"e${String(command.input.PartNumber)}"` };
      return {};
    });
    const mib = Buffer.alloc(1024 * 1024, 1);
    await new S3Storage(client, 'chat').put(
      'ab/big',
      Readable.from(Array.from({ length: 11 }, () => mib)),
    );
    const parts = sent.filter((c) => c instanceof UploadPartCommand);
    expect(parts.map((p) => (p.input.Body as Uint8Array).length)).toEqual([
      5 * 1024 * 1024,
      5 * 1024 * 1024,
      1024 * 1024,
    ]);
    const complete = sent.find((c) => c instanceof CompleteMultipartUploadCommand)!;
    expect(complete.input).toMatchObject({ Bucket: 'chat', Key: 'ab/big', UploadId: 'u1' });
  });

  it('aborts the multipart upload when the body fails, leaving no parts', async () => {
    const { client, sent } = mockedClient((command) => {
      if (command instanceof CreateMultipartUploadCommand) return { UploadId: 'u2' };
      if (command instanceof UploadPartCommand) return { ETag: '"e"' };
      return {};
    });
    let pushed = 0;
    const failing = new Readable({
      read() {
        if (pushed++ < 7) this.push(Buffer.alloc(1024 * 1024));
        else this.destroy(new Error('too large'));
      },
    });
    await expect(new S3Storage(client, 'chat').put('ab/cut', failing)).rejects.toThrow('too large');
    expect(sent.some((c) => c instanceof CompleteMultipartUploadCommand)).toBe(false);
    const abort = sent.find((c) => c instanceof AbortMultipartUploadCommand);
    expect(abort?.input).toMatchObject({ Bucket: 'chat', Key: 'ab/cut', UploadId: 'u2' });
  });

  it('reads with an HTTP Range for a byte range', async () => {
    const { client, sent } = mockedClient(() => ({ Body: Readable.from([Buffer.from('345')]) }));
    const storage = new S3Storage(client, 'chat');
    expect(await text(await storage.read('ab/abc', { start: 3, end: 5 }))).toBe('345');
    expect(sent[0]).toBeInstanceOf(GetObjectCommand);
    expect(sent[0].input).toEqual({ Bucket: 'chat', Key: 'ab/abc', Range: 'bytes=3-5' });
    await storage.read('ab/abc');
    expect(sent[1].input.Range).toBeUndefined();
  });

  it('turns NoSuchKey into StoredObjectMissingError', async () => {
    const { client } = mockedClient(() => Promise.reject(notFound('NoSuchKey')));
    await expect(new S3Storage(client, 'chat').read('gone')).rejects.toBeInstanceOf(
      StoredObjectMissingError,
    );
  });

  it('deletes, and tells existence by HeadObject', async () => {
    let present = true;
    const { client, sent } = mockedClient((command) =>
      command instanceof HeadObjectCommand && !present ? Promise.reject(notFound('NotFound')) : {},
    );
    const storage = new S3Storage(client, 'chat');
    expect(await storage.exists('ab/abc')).toBe(true);
    await storage.delete('ab/abc');
    present = false;
    expect(await storage.exists('ab/abc')).toBe(false);
    expect(sent.map((c) => c.constructor.name)).toEqual([
      HeadObjectCommand.name,
      DeleteObjectCommand.name,
      HeadObjectCommand.name,
    ]);
    expect(sent[1].input).toEqual({ Bucket: 'chat', Key: 'ab/abc' });
  });

  it('passes other errors on', async () => {
    const { client } = mockedClient(() =>
      Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDenied' })),
    );
    await expect(new S3Storage(client, 'chat').exists('x')).rejects.toThrow('denied');
  });
});
