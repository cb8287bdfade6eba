/**
 * Avatars: an image uploaded with POST /me/avatar, checked by its bytes like an attachment (the
 * attachments' inspector and type detection) and capped at MAX_AVATAR_BYTES, stored with the
 * attachments' storage under `avatars/`, and served to every signed-in user.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { detectContentType, essenceOf } from '../attachments/content-type.js';
import { receiveFile } from '../attachments/multipart.js';
import {
  ATTACHMENT_STORAGE,
  StoredObjectMissingError,
  type AttachmentStorage,
} from '../attachments/storage/attachment.storage.js';
import { UploadInspector, type InspectedUpload } from '../attachments/upload-inspector.js';
import { BadUserInputError, DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app.config.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import type { Avatar } from './avatar.entity.js';
import { AvatarsRepository } from './avatars.repository.js';

/** Images every browser and app shows; no SVG (it can carry script). */
const AVATAR_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif']);

export function avatarUrl(avatarId: string): string {
  return `/avatars/${avatarId}`;
}

@Injectable()
export class AvatarsService {
  private readonly logger = new Logger('Avatars');

  constructor(
    private readonly avatars: AvatarsRepository,
    @Inject(ATTACHMENT_STORAGE) private readonly storage: AttachmentStorage,
    private readonly config: AppConfig,
    private readonly rateLimiter: RateLimiter,
  ) {}

  /** Receives the `file` field as a new avatar of the user (not yet in use). */
  async upload(userId: string, req: IncomingMessage): Promise<Avatar> {
    await this.rateLimiter.consume('uploads', userId);
    const id = randomUUID();
    const storageKey = `avatars/${id.slice(0, 2)}/${id}`;
    const maxBytes = this.config.uploads.maxAvatarBytes;
    try {
      const inspected = await receiveFile(req, { fieldName: 'file', maxBytes }, (file) =>
        this.store(storageKey, file.stream, maxBytes),
      );
      if (inspected.size === 0) throw new BadUserInputError('The file is empty');
      const detected = await detectContentType(() => this.storage.read(storageKey), inspected);
      if (!detected || !AVATAR_TYPES.has(essenceOf(detected.contentType))) {
        throw new BadUserInputError('An avatar must be a JPEG, PNG, GIF, WebP or AVIF image');
      }
      const avatar = {
        id,
        userId,
        contentType: essenceOf(detected.contentType),
        size: inspected.size,
        sha256: inspected.sha256,
        storageKey,
      };
      await this.avatars.insert(avatar);
      return { ...avatar, createdAt: new Date() };
    } catch (error) {
      await this.storage
        .delete(storageKey)
        .catch((e: unknown) => this.logger.warn(`could not delete ${storageKey}: ${String(e)}`));
      throw error;
    }
  }

  /** One of the user's own avatars; NOT_FOUND for anyone else's or an unknown id. */
  async getOwn(id: string, userId: string): Promise<Avatar> {
    const avatar = await this.avatars.findOwn(id, userId);
    if (!avatar) throw new NotFoundError('Avatar');
    return avatar;
  }

  /** The bytes of any avatar, for any signed-in user. */
  async open(id: string): Promise<{ avatar: Avatar; body: Readable }> {
    const avatar = await this.avatars.findById(id);
    if (!avatar) throw new NotFoundError('Avatar');
    try {
      return { avatar, body: await this.storage.read(avatar.storageKey) };
    } catch (error) {
      if (error instanceof StoredObjectMissingError) throw new NotFoundError('Avatar');
      throw error;
    }
  }

  private async store(key: string, source: Readable, maxBytes: number): Promise<InspectedUpload> {
    const inspector = new UploadInspector(maxBytes);
    const results = await Promise.allSettled([
      pipeline(source, inspector),
      this.storage.put(key, inspector),
    ]);
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    if (errors.length > 0) throw errors.find((e) => e instanceof DomainError) ?? errors[0];
    return inspector.result();
  }
}
