/**
 * Attachments on the local file system under DATA_DIR/files, two-level fan-out by key. A write goes
 * to a temporary file in the same directory tree and is renamed into place when complete (rename
 * is atomic on one file system), so readers never see a partial file and a failed upload leaves
 * none behind. Several instances may share the directory through a shared volume.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  StoredObjectMissingError,
  type AttachmentStorage,
  type ByteRange,
} from './attachment.storage.js';

const TMP_DIR = '.tmp';
/** Leftovers of a crashed process older than this are removed by removeDebris. */
const STALE_TMP_MS = 24 * 3600 * 1000;

export class LocalDiskStorage implements AttachmentStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: Readable): Promise<void> {
    const target = this.pathOf(key);
    const tmp = join(this.root, TMP_DIR, `${randomUUID()}.part`);
    await mkdir(dirname(tmp), { recursive: true });
    try {
      // 'wx': never follow or reuse an existing file.
      await pipeline(body, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(key);
    // Opening first turns a missing file into a rejected promise, not a later stream error.
    const stream = createReadStream(path, range ? { start: range.start, end: range.end } : {});
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new StoredObjectMissingError(key) : error),
      );
    });
    return stream;
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.pathOf(key)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  /** Removes temporary files that a crashed process left (a clean failure removes its own). */
  async removeDebris(now = Date.now()): Promise<void> {
    const dir = join(this.root, TMP_DIR);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > STALE_TMP_MS) await rm(path, { force: true });
    }
  }

  /** Keys are app-generated, but a key that would leave the root is refused all the same. */
  private pathOf(key: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(key) || key.split('/').includes('..')) {
      throw new Error(`invalid storage key ${JSON.stringify(key)}`);
    }
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error('storage key outside the root');
    return path;
  }
}
