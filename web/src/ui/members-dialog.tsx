/**
 * A group's members with their presence and roles. What the user's role allows is offered
 * (the server decides all the same): the owner sets roles (handing ownership over makes them an
 * admin), the owner and admins rename the group, add people and remove members (admins only
 * plain members); anyone leaves.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { describeError } from '../api/errors';
import {
  AddParticipantsDocument,
  LeaveConversationDocument,
  RemoveParticipantDocument,
  SetParticipantRoleDocument,
  UpdateConversationDocument,
  type ConversationQuery,
  type ConversationRole,
  type UserFieldsFragment,
} from '../gql/graphql';
import { useChat } from '../state/chat';
import { Dialog, closeDialog } from './dialog';
import { PresenceDot } from './presence-dot';
import { navigate } from './router';
import { SelectedUsers, UserSearch, toggleUser } from './user-search';

type Conversation = ConversationQuery['conversation'];
type Member = Conversation['members'][number];

export const ROLE_NAMES: Record<ConversationRole, string> = {
  OWNER: 'Owner',
  ADMIN: 'Admin',
  MEMBER: 'Member',
};

const RANK: Record<ConversationRole, number> = { OWNER: 0, ADMIN: 1, MEMBER: 2 };

/** The owner, then admins, then members; each by joining time, then name. */
function sortMembers(members: Member[]): Member[] {
  return [...members].sort(
    (a, b) =>
      RANK[a.role] - RANK[b.role] ||
      a.joinedAt.localeCompare(b.joinedAt) ||
      a.user.displayName.localeCompare(b.user.displayName),
  );
}

interface Props {
  conversation: Conversation;
  onClose(): void;
}

export function MembersDialog({ conversation, onClose }: Props) {
  const { me, conversations, lookUpPresence } = useChat();
  const conversationId = conversation.id;
  const members = useMemo(() => sortMembers(conversation.members), [conversation.members]);
  const myRole = members.find((m) => m.user.id === me.id)?.role ?? 'MEMBER';
  const manages = myRole === 'OWNER' || myRole === 'ADMIN';
  const [adding, setAdding] = useState<UserFieldsFragment[]>([]);
  const [added, add] = useMutation(AddParticipantsDocument);
  const [left, leave] = useMutation(LeaveConversationDocument);
  const [roled, setRole] = useMutation(SetParticipantRoleDocument);
  const [removed, remove] = useMutation(RemoveParticipantDocument);
  const [renamed, rename] = useMutation(UpdateConversationDocument);
  const [title, setTitle] = useState(conversation.title ?? '');
  const error = added.error ?? left.error ?? roled.error ?? removed.error ?? renamed.error;

  useEffect(() => lookUpPresence(members.map((m) => m.user.id)), [members, lookUpPresence]);

  async function addSelected() {
    const result = await add({ conversationId, userIds: adding.map((u) => u.id) });
    if (!result.data) return;
    setAdding([]);
    void conversations.refresh();
  }

  async function leaveGroup(button: HTMLButtonElement) {
    if (!window.confirm('Leave this group? You will no longer see its messages.')) return;
    const result = await leave({ conversationId });
    if (!result.data) return;
    closeDialog(button);
    await conversations.refresh();
    navigate('/');
  }

  function changeRole(member: Member, role: ConversationRole) {
    const handOver = `Make ${member.user.displayName} the owner? You will become an admin.`;
    if (role === 'OWNER' && !window.confirm(handOver)) return;
    void setRole({ conversationId, userId: member.user.id, role });
  }

  function removeMember(member: Member) {
    if (!window.confirm(`Remove ${member.user.displayName} from the group?`)) return;
    void remove({ conversationId, userId: member.user.id });
  }

  function submitTitle(event: FormEvent) {
    event.preventDefault();
    if (title.trim() && title.trim() !== conversation.title)
      void rename({ input: { conversationId, title: title.trim() } });
  }

  const canRemove = (member: Member) =>
    member.user.id !== me.id &&
    (myRole === 'OWNER' || (myRole === 'ADMIN' && member.role === 'MEMBER'));

  return (
    <Dialog title={`Members (${members.length})`} onClose={onClose}>
      <div className="stack">
        {manages && (
          <form className="rename" onSubmit={submitTitle}>
            <label>
              Group name
              <input
                value={title}
                required
                maxLength={200}
                onChange={(e) => setTitle(e.target.value)}
              />
            </label>
            <button type="submit" disabled={renamed.fetching}>
              Rename
            </button>
          </form>
        )}
        <ul className="members" aria-label="Members">
          {members.map((member) => (
            <li key={member.user.id} className="member" data-role={member.role}>
              <PresenceDot user={member.user} />
              <span className="member__name">
                {member.user.displayName}
                {member.user.id === me.id && <span className="muted"> (you)</span>}
                <span className="muted member__username"> @{member.user.username}</span>
              </span>
              {myRole === 'OWNER' && member.user.id !== me.id ? (
                <select
                  aria-label={`Role of ${member.user.displayName}`}
                  value={member.role}
                  disabled={roled.fetching}
                  onChange={(e) => changeRole(member, e.target.value as ConversationRole)}
                >
                  {(['MEMBER', 'ADMIN', 'OWNER'] as const).map((role) => (
                    <option key={role} value={role}>
                      {ROLE_NAMES[role]}
                    </option>
                  ))}
                </select>
              ) : (
                <span className="role" data-role={member.role}>
                  {ROLE_NAMES[member.role]}
                </span>
              )}
              {canRemove(member) && (
                <button
                  type="button"
                  className="link danger"
                  aria-label={`Remove ${member.user.displayName}`}
                  onClick={() => removeMember(member)}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
        {manages && (
          <>
            <UserSearch
              label="Add people"
              selected={adding}
              excludeIds={members.map((m) => m.user.id)}
              onToggle={(user) => setAdding((list) => toggleUser(list, user))}
            />
            <SelectedUsers
              users={adding}
              onRemove={(user) => setAdding((list) => toggleUser(list, user))}
            />
          </>
        )}
        {error && (
          <p className="error" role="alert">
            {describeError(error)}
          </p>
        )}
        <div className="actions">
          <button
            type="button"
            className="danger"
            onClick={(e) => void leaveGroup(e.currentTarget)}
          >
            Leave group
          </button>
          {manages && (
            <button
              type="button"
              className="primary"
              disabled={adding.length === 0 || added.fetching}
              onClick={() => void addSelected()}
            >
              Add {adding.length > 0 ? adding.length : ''}
            </button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
