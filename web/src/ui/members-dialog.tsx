/** A group's members with their presence; add people, or leave. (Roles come with the server.) */
import { useEffect, useState } from 'react';
import { useMutation } from 'urql';
import { describeError } from '../api/errors';
import {
  AddParticipantsDocument,
  LeaveConversationDocument,
  type UserFieldsFragment,
} from '../gql/graphql';
import { useChat } from '../state/chat';
import { Dialog, closeDialog } from './dialog';
import { PresenceDot } from './presence-dot';
import { navigate } from './router';
import { SelectedUsers, UserSearch, toggleUser } from './user-search';

interface Props {
  conversationId: string;
  members: UserFieldsFragment[];
  onClose(): void;
}

export function MembersDialog({ conversationId, members, onClose }: Props) {
  const { me, conversations, lookUpPresence } = useChat();
  const [adding, setAdding] = useState<UserFieldsFragment[]>([]);
  const [added, add] = useMutation(AddParticipantsDocument);
  const [left, leave] = useMutation(LeaveConversationDocument);
  const error = added.error ?? left.error;

  useEffect(() => lookUpPresence(members.map((m) => m.id)), [members, lookUpPresence]);

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

  return (
    <Dialog title={`Members (${members.length})`} onClose={onClose}>
      <div className="stack">
        <ul className="members" aria-label="Members">
          {members.map((member) => (
            <li key={member.id} className="member">
              <PresenceDot user={member} />
              <span className="member__name">
                {member.displayName}
                {member.id === me.id && <span className="muted"> (you)</span>}
              </span>
              <span className="muted">@{member.username}</span>
            </li>
          ))}
        </ul>
        <UserSearch
          label="Add people"
          selected={adding}
          excludeIds={members.map((m) => m.id)}
          onToggle={(user) => setAdding((list) => toggleUser(list, user))}
        />
        <SelectedUsers
          users={adding}
          onRemove={(user) => setAdding((list) => toggleUser(list, user))}
        />
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
          <button
            type="button"
            className="primary"
            disabled={adding.length === 0 || added.fetching}
            onClick={() => void addSelected()}
          >
            Add {adding.length > 0 ? adding.length : ''}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
