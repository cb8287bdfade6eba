import { mkdtemp, readdir, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoredObjectMissingError } from './attachment.storage.js';
import { LocalDiskStorage } from './local-disk.storage.js';

let root: string;
let storage: LocalDiskStorage;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'local-storage-'));
  storage = new LocalDiskStorage(root);
});
afterEach(() => rm(root, { recursive: true, force: true }));

const files = async () =>
  (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());

describe('LocalDiskStorage', () => {
  it('stores, reads (whole or a range), tells existence and deletes', async () => {
    await storage.put('ab/abc', Readable.from([Buffer.from('0123'), Buffer.from('456789')]));
    expect(await storage.exists('ab/abc')).toBe(true);
    expect(await text(await storage.read('ab/abc'))).toBe('0123456789');
    expect(await text(await storage.read('ab/abc', { start: 3, end: 5 }))).toBe('345');
    await storage.delete('ab/abc');
    expect(await storage.exists('ab/abc')).toBe(false);
    await storage.delete('ab/abc'); // missing: fine
  });

  it('leaves nothing when the body fails midway', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(storage.put('ab/broken', failing)).rejects.toThrow('client went away');
    expect(await storage.exists('ab/broken')).toBe(false);
    expect(await files()).toEqual([]);
  });

  it('reports a missing object as StoredObjectMissingError', async () => {
    await expect(storage.read('no/such')).rejects.toBeInstanceOf(StoredObjectMissingError);
  });

  it('refuses keys that would leave its directory', async () => {
    for (const key of ['../escape', 'a/../../escape', '/etc/passwd', '.hidden', 'a\\b']) {
      await expect(storage.put(key, Readable.from(['x']))).rejects.toThrow(/storage key/);
    }
  });

  it('removes temporary files a crashed process left, once they are old', async () => {
    await mkdir(join(root, '.tmp'));
    const stale = join(root, '.tmp', 'old.part');
    const fresh = join(root, '.tmp', 'new.part');
    await writeFile(stale, 'x');
    await writeFile(fresh, 'x');
    const twoDaysAgo = new Date(Date.now() - 48 * 3600 * 1000);
    await utimes(stale, twoDaysAgo, twoDaysAgo);
    await storage.removeDebris();
    expect((await files()).map((f) => f.name)).toEqual(['new.part']);
  });
});
