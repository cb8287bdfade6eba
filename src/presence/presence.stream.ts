/**
 * The `presenceChanged` stream of one subscriber: every status change of the users who share a
 * conversation with them. Contacts are read when the stream starts, and again at each membership
 * change that concerns the subscriber (a conversation created, members added, someone leaving),
 * so a new contact is followed at once and one who left is dropped. A contact who blocks the
 * subscriber is not followed: blocking sends them OFFLINE to the subscriber, unblocking their
 * current status.
 */
import { Injectable, Logger } from '@nestjs/common';
import { Repeater } from '@repeaterjs/repeater';
import { MembershipEvents } from '../conversations/membership.events.js';
import { MembershipRepository } from '../conversations/membership.repository.js';
import { BlocksService } from '../users/blocks/blocks.service.js';
import { hiddenPresence, PresenceService } from './presence.service.js';
import { PresenceWatchers } from './presence.watchers.js';
import type { Presence } from './presence.type.js';

@Injectable()
export class PresenceStream {
  private readonly logger = new Logger('PresenceStream');

  constructor(
    private readonly watchers: PresenceWatchers,
    private readonly membership: MembershipRepository,
    private readonly membershipEvents: MembershipEvents,
    private readonly blocks: BlocksService,
    private readonly presence: PresenceService,
  ) {}

  open(userId: string): AsyncIterableIterator<Presence> {
    return new Repeater<Presence>(async (push, stop) => {
      const watching = new Map<string, () => void>();
      let stopped = false;
      const deliver = (presence: Presence) => {
        // Repeater's push throws once 1,024 values wait unread: let such a reader go, here,
        // rather than in the loop that serves every watcher of this user.
        try {
          void push(presence);
        } catch (error) {
          void stop(error);
        }
      };

      const load = async () => {
        const contacts = await this.membership.contactsOf(userId);
        const blockers = await this.blocks.blockersOf(userId, contacts);
        const users = new Set(contacts.filter((id) => !blockers.has(id)));
        for (const [id, unwatch] of watching) {
          if (users.has(id)) continue;
          unwatch();
          watching.delete(id);
        }
        const added = [...users].filter((id) => !watching.has(id));
        await Promise.all(
          added.map(async (id) => {
            const unwatch = await this.watchers.watch(id, deliver);
            if (stopped || watching.has(id)) unwatch();
            else watching.set(id, unwatch);
          }),
        );
      };

      // Loads run one at a time; requests made meanwhile collapse into one more run.
      let running: Promise<void> | null = null;
      let again = false;
      const reload = (): Promise<void> => {
        if (running) {
          again = true;
          return running;
        }
        running = (async () => {
          try {
            do {
              again = false;
              await load();
            } while (again && !stopped);
          } finally {
            running = null;
          }
        })();
        return running;
      };

      // Listening first, so a change committed while contacts load is not missed.
      const unlisten = await this.membershipEvents.listen(userId, () => {
        reload().catch((err: unknown) =>
          this.logger.warn(`reloading contacts failed: ${String(err)}`),
        );
      });
      const unlistenBlocks = await this.blocks.listen(userId, (event) => {
        const wasWatched = watching.has(event.blockerId);
        reload()
          .then(async () => {
            // Only contacts' presence is told, before as after.
            if (event.blocked) return wasWatched && deliver(hiddenPresence(event.blockerId));
            if (!watching.has(event.blockerId)) return;
            const [current] = await this.presence.getMany([{ userId: event.blockerId }], userId);
            deliver(current);
          })
          .catch((err: unknown) => this.logger.warn(`following a block failed: ${String(err)}`));
      });
      try {
        await reload();
      } catch (error) {
        stop(error);
      }
      await stop;
      stopped = true;
      unlisten();
      unlistenBlocks();
      for (const unwatch of watching.values()) unwatch();
      watching.clear();
    });
  }
}
