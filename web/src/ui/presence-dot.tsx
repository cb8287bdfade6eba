/** A user's online dot; the status is also written out for screen readers. */
import type { UserFieldsFragment } from '../gql/graphql';
import { useChat } from '../state/chat';
import { usePresence } from '../state/presence';

export function PresenceDot({ user }: { user: UserFieldsFragment }) {
  const { presence } = useChat();
  const status = usePresence(presence, user.id) ?? 'OFFLINE';
  const label = status === 'ONLINE' ? 'online' : 'offline';
  return (
    <span
      className={`dot dot--${label}`}
      data-presence={status}
      data-user={user.username}
      title={`${user.displayName} is ${label}`}
    >
      <span className="sr-only">{`${user.displayName} is ${label}`}</span>
    </span>
  );
}

/** The other participants' dots (the first few of a large group). */
export function PresenceDots({ users }: { users: UserFieldsFragment[] }) {
  return (
    <span className="dots">
      {users.slice(0, 4).map((user) => (
        <PresenceDot key={user.id} user={user} />
      ))}
    </span>
  );
}
