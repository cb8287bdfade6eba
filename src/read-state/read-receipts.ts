/**
 * Read receipts on the event bus. A reader's receipts are coalesced per conversation to at most
 * one a second on each instance: the first goes out at once, later ones within the second are
 * held and only the highest is sent when it ends. A group of 1,000 reading every message thus
 * costs each member at most one receipt per reader per second, however fast they read.
 *
 * A send also moves the sender's lastReadSeq (to the message); that receipt is not published
 * again: subscribers derive it from the messageAdded payload their channel already carries.
 */
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { MembershipEvents } from '../conversations/membership.events.js';
import { MessageEvents } from '../messages/message.events.js';
import { MessageChange } from '../messages/message.entity.js';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import { decodeReadReceipt, encodeReadReceipt, type ReadReceipt } from './read-receipt.event.js';

export const RECEIPT_INTERVAL_MS = 1000;

interface Window {
  timer: NodeJS.Timeout;
  pending?: { receipt: ReadReceipt; memberIds: readonly string[] };
}

@Injectable()
export class ReadReceipts implements OnModuleDestroy {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly bus: EventBus,
    private readonly channels: Channels,
    private readonly messageEvents: MessageEvents,
    private readonly membershipEvents: MembershipEvents,
  ) {}

  /** After commit; `memberIds`: the conversation's members (the reader among them). */
  published(receipt: ReadReceipt, memberIds: readonly string[]): void {
    const key = `${receipt.conversationId}:${receipt.userId}`;
    const open = this.windows.get(key);
    if (open) {
      // Two devices' marks can commit in one order and publish in the other: hold the highest.
      if (!open.pending || receipt.lastReadSeq >= open.pending.receipt.lastReadSeq) {
        open.pending = { receipt, memberIds };
      }
      return;
    }
    this.openWindow(key);
    void this.send(receipt, memberIds);
  }

  /**
   * Every receipt addressed to one user (their own included), and the conversations the user
   * departs (`onDeparted`), until the returned function is called: one listener on the channel.
   */
  listen(
    userId: string,
    handler: (receipt: ReadReceipt) => void,
    onDeparted: (conversationId: string) => void = () => {},
  ): Promise<() => void> {
    return this.bus.subscribe<unknown>(this.channels.user(userId), (payload) => {
      const receipt = decodeReadReceipt(payload);
      if (receipt) return handler(receipt);
      const membership = this.membershipEvents.changeOf(payload);
      if (membership?.events.some((e) => e.user.id === userId && !e.role)) {
        return onDeparted(membership.conversationId);
      }
      const message = this.messageEvents.messageOf(payload);
      if (message?.lastChange === MessageChange.MESSAGE_CREATED) {
        handler({
          conversationId: message.conversationId,
          userId: message.senderId,
          lastReadSeq: message.seq,
        });
      }
    });
  }

  onModuleDestroy(): void {
    for (const window of this.windows.values()) clearTimeout(window.timer);
    this.windows.clear();
  }

  private openWindow(key: string): void {
    const timer = setTimeout(() => {
      const window = this.windows.get(key);
      this.windows.delete(key);
      if (!window?.pending) return;
      // The held receipt starts a new window of its own.
      this.openWindow(key);
      void this.send(window.pending.receipt, window.pending.memberIds);
    }, RECEIPT_INTERVAL_MS);
    timer.unref();
    this.windows.set(key, { timer });
  }

  private send(receipt: ReadReceipt, memberIds: readonly string[]): Promise<void> {
    return this.bus.publish(
      memberIds.map((id) => this.channels.user(id)),
      encodeReadReceipt(receipt),
    );
  }
}
