/** Start a conversation: one person (a direct conversation) or several (a group, with a name). */
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { describeError } from '../api/errors';
import { CreateConversationDocument, type UserFieldsFragment } from '../gql/graphql';
import { useChat } from '../state/chat';
import { Dialog, closeDialog } from './dialog';
import { conversationPath, navigate } from './router';
import { SelectedUsers, UserSearch, toggleUser } from './user-search';

export function NewConversationDialog({ onClose }: { onClose(): void }) {
  const { me, conversations } = useChat();
  const [selected, setSelected] = useState<UserFieldsFragment[]>([]);
  const [title, setTitle] = useState('');
  const [{ fetching, error }, create] = useMutation(CreateConversationDocument);
  const isGroup = selected.length > 1;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const result = await create({
      input: {
        participantIds: selected.map((u) => u.id),
        title: isGroup && title.trim() ? title.trim() : undefined,
      },
    });
    if (!result.data) return;
    await conversations.refresh();
    closeDialog(form);
    navigate(conversationPath(result.data.createConversation.id));
  }

  return (
    <Dialog title="New conversation" onClose={onClose}>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <UserSearch
          label="Find people"
          selected={selected}
          excludeIds={[me.id]}
          onToggle={(user) => setSelected((list) => toggleUser(list, user))}
        />
        <SelectedUsers
          users={selected}
          onRemove={(user) => setSelected((list) => toggleUser(list, user))}
        />
        {isGroup && (
          <label>
            Group name <span className="optional">(optional)</span>
            <input value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
          </label>
        )}
        {error && (
          <p className="error" role="alert">
            {describeError(error)}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={(e) => closeDialog(e.currentTarget)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={selected.length === 0 || fetching}>
            {isGroup ? 'Create group' : 'Start conversation'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
