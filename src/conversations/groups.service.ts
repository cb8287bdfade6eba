/**
 * What members may do to a group: leave (the owner's role passes to the earliest admin, else the
 * earliest member), remove others (the owner anyone, admins only members), set roles (the owner
 * only; making another the OWNER makes the caller an ADMIN) and change the title or avatar (owner
 * and admins). Exactly one owner always. Each change takes the next eventSeqs under the
 * conversation's lock and is published after commit; a stranger gets NOT_FOUND, a member without
 * the right FORBIDDEN, a direct conversation BAD_USER_INPUT, and a refusal stores nothing.
 */
import { Injectable } from '@nestjs/common';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../common/errors/domain-error.js';
import { isUuid } from '../common/uuid.js';
import type { Conversation } from './conversation.entity.js';
import type { UpdateConversationInput } from './dto/update-conversation.input.js';
import {
  GroupChangesRepository,
  type GroupWrites,
  type LockedGroup,
} from './group-changes.repository.js';
import { MemberAnnouncer } from './member-announcer.js';
import type { MembershipChange } from './membership-changed.event.js';
import { MembershipEvents } from './membership.events.js';
import { ConversationRole, type Participant } from './participant.entity.js';

const { OWNER, ADMIN, MEMBER } = ConversationRole;

const notAMember = (field: string) =>
  new BadUserInputError('Not a member of this conversation', {
    fields: [{ field, messages: ['not a member of this conversation'] }],
  });

@Injectable()
export class GroupsService {
  constructor(
    private readonly groups: GroupChangesRepository,
    private readonly announcer: MemberAnnouncer,
    private readonly events: MembershipEvents,
  ) {}

  async leave(userId: string, conversationId: string): Promise<boolean> {
    await this.change(userId, conversationId, 'left', async (group, writes, me) => {
      if (group.conversation.isDirect) {
        throw new BadUserInputError('A direct conversation cannot be left');
      }
      await writes.depart(userId, 'MEMBER_LEFT', null);
      if (me.role === OWNER) {
        const others = group.members.filter((m) => m.userId !== userId);
        // Members are in joining order: the earliest admin, else the earliest member.
        const heir = others.find((m) => m.role === ADMIN) ?? others[0];
        if (heir) await writes.setRole(heir.userId, OWNER, null);
      }
    });
    return true;
  }

  remove(actorId: string, conversationId: string, userId: string): Promise<Conversation> {
    return this.change(actorId, conversationId, 'removed', async (group, writes, me) => {
      this.assertGroup(group);
      const target = group.members.find((m) => m.userId === userId);
      if (!target) throw notAMember('userId');
      if (userId === actorId) {
        throw new BadUserInputError('Leave the conversation instead', {
          fields: [{ field: 'userId', messages: ['use leaveConversation for yourself'] }],
        });
      }
      const allowed = me.role === OWNER || (me.role === ADMIN && target.role === MEMBER);
      if (!allowed) throw new ForbiddenError('Only the owner, or an admin for members, can remove');
      await writes.depart(userId, 'MEMBER_REMOVED', actorId);
    });
  }

  setRole(
    actorId: string,
    conversationId: string,
    userId: string,
    role: ConversationRole,
  ): Promise<Conversation> {
    return this.change(actorId, conversationId, 'role', async (group, writes, me) => {
      this.assertGroup(group);
      const target = group.members.find((m) => m.userId === userId);
      if (!target) throw notAMember('userId');
      if (me.role !== OWNER) throw new ForbiddenError('Only the owner sets roles');
      if (userId === actorId) {
        throw new BadUserInputError('The owner hands ownership to another member', {
          fields: [{ field: 'userId', messages: ['make another member the OWNER'] }],
        });
      }
      if (target.role === role) return;
      // The caller steps down first: there is never more than one owner.
      if (role === OWNER) await writes.setRole(actorId, ADMIN, actorId);
      await writes.setRole(userId, role, actorId);
    });
  }

  update(actorId: string, input: UpdateConversationInput): Promise<Conversation> {
    return this.change(actorId, input.conversationId, null, async (group, writes, me) => {
      this.assertGroup(group);
      if (me.role !== OWNER && me.role !== ADMIN) {
        throw new ForbiddenError('Only the owner or an admin can change the title or avatar');
      }
      const { conversation } = group;
      let avatar = conversation.avatarAttachmentId;
      if (input.avatarAttachmentId !== undefined) {
        avatar = input.avatarAttachmentId;
        if (avatar !== null && (!isUuid(avatar) || !(await writes.isImageOfConversation(avatar)))) {
          throw new BadUserInputError('The avatar must be an image uploaded to this conversation', {
            fields: [
              { field: 'avatarAttachmentId', messages: ['not an image of this conversation'] },
            ],
          });
        }
      }
      const title = input.title ?? conversation.title;
      if (title === conversation.title && avatar === conversation.avatarAttachmentId) return;
      await writes.updateConversation(title, avatar);
    });
  }

  private assertGroup(group: LockedGroup): void {
    if (group.conversation.isDirect) {
      throw new BadUserInputError('A direct conversation has no roles, title or removals');
    }
  }

  /**
   * Runs one change under the lock as `actorId` (NOT_FOUND unless a member), then publishes
   * what it changed and answers the conversation as it is now.
   */
  private async change(
    actorId: string,
    conversationId: string,
    membershipChange: MembershipChange | null,
    apply: (group: LockedGroup, writes: GroupWrites, me: Participant) => Promise<void>,
  ): Promise<Conversation> {
    const done = isUuid(conversationId)
      ? await this.groups.withLocked(conversationId, async (group, writes) => {
          const me = group.members.find((m) => m.userId === actorId);
          if (!me) throw new NotFoundError('Conversation');
          await apply(group, writes, me);
          return group.conversation;
        })
      : null;
    if (!done) throw new NotFoundError('Conversation');
    const { writes, memberIdsBefore } = done;
    // Who departed hears of their departure, then nothing (not of an heir, for one).
    const departed = writes.changedMembers.filter((m) => m.leftAt);
    const stayed = writes.changedMembers.filter((m) => !m.leftAt);
    const gone = new Set(departed.map((m) => m.userId));
    const remaining = memberIdsBefore.filter((id) => !gone.has(id));
    const kind = membershipChange ?? 'role';
    if (departed.length > 0) {
      await this.announcer.announce(conversationId, kind, departed, memberIdsBefore);
    }
    if (stayed.length > 0) {
      await this.announcer.announce(conversationId, gone.size ? 'role' : kind, stayed, remaining);
    }
    const updated = writes.updatedConversation;
    if (updated) await this.events.updated(updated, remaining);
    return {
      ...(updated ?? done.result),
      lastEventSeq: done.result.lastEventSeq + writes.count,
    };
  }
}
