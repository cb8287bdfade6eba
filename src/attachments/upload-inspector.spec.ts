import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError } from '../common/errors/domain-error.js';
import { isAllowedType, looksLikeMarkup } from './content-type.js';
import { UploadInspector } from './upload-inspector.js';

async function inspect(chunks: (string | Buffer)[], maxBytes = 1_000_000) {
  const inspector = new UploadInspector(maxBytes);
  const [passed] = await Promise.all([
    buffer(inspector),
    pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), inspector),
  ]);
  return { ...inspector.result(), passed };
}

describe('UploadInspector', () => {
  it('passes the bytes through while counting and hashing them', async () => {
    const result = await inspect(['hello ', 'world']);
    expect(result.passed.toString()).toBe('hello world');
    expect(result.size).toBe(11);
    expect(result.sha256).toBe(createHash('sha256').update('hello world').digest('hex'));
    expect(result.head.toString()).toBe('hello world');
  });

  it('keeps only the first KiB as the head', async () => {
    const result = await inspect(['a'.repeat(1000), 'b'.repeat(1000)]);
    expect(result.head.length).toBe(1024);
    expect(result.head.toString()).toBe('a'.repeat(1000) + 'b'.repeat(24));
  });

  it('fails past the limit, and not at it', async () => {
    await expect(inspect(['abcd', 'e'], 5)).resolves.toMatchObject({ size: 5 });
    await expect(inspect(['abcd', 'ef'], 5)).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('recognises UTF-8 text, even with a character split across chunks', async () => {
    const euro = Buffer.from('€'); // 3 bytes
    const result = await inspect([
      Buffer.concat([Buffer.from('a'), euro.subarray(0, 1)]),
      euro.subarray(1),
    ]);
    expect(result.isPlainText).toBe(true);
    expect((await inspect(['tab\tcr\rlf\n'])).isPlainText).toBe(true);
  });

  it.each([
    ['NUL', Buffer.from('a\u0000b')],
    ['ESC', Buffer.from('a\u001bb')],
    ['DEL', Buffer.from('a\u007fb')],
    ['a C1 control', Buffer.from('a\u0085b')],
    ['invalid UTF-8', Buffer.from([0x61, 0xc3, 0x28])],
    ['a truncated sequence at the end', Buffer.from([0x61, 0xe2, 0x82])],
  ])('says %s is not plain text', async (_name, bytes) => {
    expect((await inspect([bytes])).isPlainText).toBe(false);
  });
});

describe('looksLikeMarkup', () => {
  it.each([
    '<!DOCTYPE html>',
    '  <HTML>',
    'x <Script>',
    '<svg/>',
    '<?xml version="1.0"?>',
    'a\n<iframe src=x>',
  ])('sees markup in %j', (text) => expect(looksLikeMarkup(Buffer.from(text))).toBe(true));

  it.each(['a < b and c > d', 'email <me@example.com>', 'plain'])('sees none in %j', (text) =>
    expect(looksLikeMarkup(Buffer.from(text))).toBe(false),
  );
});

describe('isAllowedType', () => {
  const allowed = ['image/png', 'audio/ogg', 'video/*'];
  it.each([
    ['image/png', true],
    ['IMAGE/PNG', true],
    ['audio/ogg; codecs=opus', true],
    ['video/webm', true],
    ['image/jpeg', false],
    ['text/html', false],
  ])('%s: %s', (type, expected) => expect(isAllowedType(type, allowed)).toBe(expected));
});
