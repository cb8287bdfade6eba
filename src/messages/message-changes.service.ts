/**
 * Changing a sent message: edits (the sender only, the send's text rules), deletion (the sender,
 * or a group's OWNER/ADMIN; a tombstone keeps id and seq, its files stop being served) and
 * reactions (idempotent, one emoji, at most MAX_EMOJI distinct per message). Each change is one
 * statement that takes the conversation's next eventSeq (message-changes.repository.ts, where
 * its verdict writes each rule once) and is published after commit; a refusal stores nothing and
 * uses no number, and is turned into its error here. A stranger gets NOT_FOUND, as for an
 * unknown message.
 */
import { Injectable } from '@nestjs/common';
import { StoredBytesService } from '../attachments/stored-bytes.service.js';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  type DomainError,
} from '../common/errors/domain-error.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { isSingleEmoji } from './emoji.js';
import { MessageEvents } from './message.events.js';
import { MessageHydrator } from './message.hydrator.js';
import type { MessageWithDetails } from './message-with-details.js';
import {
  MessageChangesRepository,
  type ChangeOutcome,
  type Refusal,
} from './message-changes.repository.js';

export const MAX_EMOJI = 50;

/** The error of each refusal (UNCHANGED is none: the message is answered as it is). */
const REFUSED: Record<Exclude<Refusal, 'UNCHANGED'>, (forbidden: string) => DomainError> = {
  NOT_FOUND: () => new NotFoundError('Message'),
  FORBIDDEN: (message) => new ForbiddenError(message),
  DELETED: () => new ConflictError('The message was deleted'),
  EMPTY: () =>
    new BadUserInputError('A message needs text or at least one attachment', {
      fields: [{ field: 'text', messages: ['text must not be empty'] }],
    }),
  TOO_MANY_EMOJI: () =>
    new BadUserInputError(`A message has at most ${MAX_EMOJI} different emoji`, {
      fields: [{ field: 'emoji', messages: [`at most ${MAX_EMOJI} per message`] }],
    }),
};

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
    return this.run(
      actorId,
      () => this.changes.edit(messageId, actorId, text),
      'Only the sender can edit a message',
    );
  }

  /** Deleting twice answers the same tombstone and is no new change. */
  delete(actorId: string, messageId: string): Promise<MessageWithDetails> {
    return this.run(
      actorId,
      () => this.changes.delete(messageId, actorId),
      'Only the sender or a group owner or admin can delete it',
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
    return this.run(
      actorId,
      () => this.changes.react(messageId, actorId, emoji, add, MAX_EMOJI),
      'Only members can react',
    );
  }

  /**
   * Runs one change (one statement), then, once committed, publishes the message as it is now
   * and answers it.
   */
  private async run(
    actorId: string,
    change: () => Promise<ChangeOutcome | null>,
    forbidden: string,
  ): Promise<MessageWithDetails> {
    await this.rateLimiter.consume('sends', actorId);
    const outcome = await change();
    if (!outcome) throw REFUSED.NOT_FOUND(forbidden);
    if (outcome.refusal && outcome.refusal !== 'UNCHANGED') {
      throw REFUSED[outcome.refusal](forbidden);
    }
    // The files of a tombstone go once it is committed (they are no longer served).
    if (outcome.discarded.length > 0) await this.storedBytes.discard(outcome.discarded);
    // Its details as they are now (a later change of reactions may show: streams order by the
    // eventSeq each event carries, and that change publishes its own).
    const [message] = await this.hydrator.hydrate([outcome.message]);
    if (!outcome.refusal) await this.events.published(message, outcome.memberIds);
    return message;
  }
}
