/**
 * Changing a sent message: edits (the sender only, the send's text rules), deletion (the sender,
 * or a group's OWNER/ADMIN; a tombstone keeps id and seq, its files stop being served) and
 * reactions (idempotent, one emoji, at most MAX_EMOJI distinct per message). Each change takes
 * the conversation's next eventSeq in its transaction and is published after commit; a refusal
 * stores nothing and uses no number. A stranger gets NOT_FOUND, as for an unknown message.
 */
import { Injectable } from '@nestjs/common';
import { StoredBytesService } from '../attachments/stored-bytes.service.js';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
} from '../common/errors/domain-error.js';
import { ConversationRole } from '../conversations/participant.entity.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { isSingleEmoji } from './emoji.js';
import { MessageChange, type Message } from './message.entity.js';
import { MessageEvents } from './message.events.js';
import { MessageHydrator } from './message.hydrator.js';
import type { MessageWithDetails } from './message-with-details.js';
import {
  MessageChangesRepository,
  type LockedMessage,
  type MessageWrites,
} from './message-changes.repository.js';

export const MAX_EMOJI = 50;

/** What a change did: the message as it is at commit, whether it changed, who hears of it. */
interface Outcome {
  message: Message;
  changed: boolean;
  memberIds: string[];
}

const notFound = () => new NotFoundError('Message');

@Injectable()
export class MessageChangesService {
  constructor(
    private readonly changes: MessageChangesRepository,
    private readonly hydrator: MessageHydrator,
    private readonly events: MessageEvents,
    private readonly storedBytes: StoredBytesService,
    private readonly rateLimiter: RateLimiter,
  ) {}

  edit(actorId: string, messageId: string, text: string): Promise<MessageWithDetails> {
    return this.run(actorId, messageId, async (locked, writes) => {
      if (locked.message.senderId !== actorId) {
        throw new ForbiddenError('Only the sender can edit a message');
      }
      this.assertNotDeleted(locked);
      if (text.length === 0 && !writes.hasAttachments) {
        throw new BadUserInputError('A message needs text or at least one attachment', {
          fields: [{ field: 'text', messages: ['text must not be empty'] }],
        });
      }
      if (text === locked.message.text) return false;
      await writes.edit(text);
      return true;
    });
  }

  delete(actorId: string, messageId: string): Promise<MessageWithDetails> {
    let files: string[] = [];
    return this.run(
      actorId,
      messageId,
      async (locked, writes) => {
        const moderates =
          !locked.isDirect &&
          (locked.actorRole === ConversationRole.OWNER ||
            locked.actorRole === ConversationRole.ADMIN);
        if (locked.message.senderId !== actorId && !moderates) {
          throw new ForbiddenError('Only the sender or a group owner or admin can delete it');
        }
        // Deleting twice answers the same tombstone and is no new change.
        if (locked.message.deletedAt) return false;
        files = await writes.tombstone();
        return true;
      },
      () => this.storedBytes.discard(files),
    );
  }

  react(
    actorId: string,
    messageId: string,
    emoji: string,
    add: boolean,
  ): Promise<MessageWithDetails> {
    if (!isSingleEmoji(emoji)) {
      throw new BadUserInputError('emoji must be exactly one emoji', {
        fields: [{ field: 'emoji', messages: ['not a single emoji'] }],
      });
    }
    return this.run(actorId, messageId, async (locked, writes) => {
      this.assertNotDeleted(locked);
      if (add) {
        const { distinct, has } = await writes.emojiCount(emoji);
        if (!has && distinct >= MAX_EMOJI) {
          throw new BadUserInputError(`A message has at most ${MAX_EMOJI} different emoji`, {
            fields: [{ field: 'emoji', messages: [`at most ${MAX_EMOJI} per message`] }],
          });
        }
      }
      const changed = add
        ? await writes.addReaction(actorId, emoji)
        : await writes.removeReaction(actorId, emoji);
      if (changed) await writes.stamp(MessageChange.REACTIONS_CHANGED);
      return changed;
    });
  }

  private assertNotDeleted(locked: LockedMessage): void {
    if (locked.message.deletedAt) throw new ConflictError('The message was deleted');
  }

  /**
   * Runs one change under the lock (`apply` answers whether it changed anything), then, once
   * committed, publishes the message as it is now and answers it.
   */
  private async run(
    actorId: string,
    messageId: string,
    apply: (locked: LockedMessage, writes: MessageWrites) => Promise<boolean>,
    afterCommit?: () => Promise<void>,
  ): Promise<MessageWithDetails> {
    await this.rateLimiter.consume('sends', actorId);
    const outcome = await this.changes.withLocked<Outcome>(
      messageId,
      actorId,
      async (locked, writes) => {
        if (!locked.actorRole) throw notFound();
        const changed = await apply(locked, writes);
        return {
          message: writes.changed ?? locked.message,
          changed,
          memberIds: locked.memberIds,
        };
      },
    );
    if (!outcome) throw notFound();
    await afterCommit?.();
    // Its details as they are now (a later change of reactions may show: streams order by the
    // eventSeq each event carries, and that change publishes its own).
    const [message] = await this.hydrator.hydrate([outcome.message]);
    if (outcome.changed) await this.events.published(message, outcome.memberIds);
    return message;
  }
}
