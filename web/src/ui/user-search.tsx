/** Find people by username or display-name prefix and pick some (toggle buttons). */
import { useId, useState } from 'react';
import { useDebounced } from './use-debounced';
import { useQuery } from 'urql';
import { UsersDocument, type UserFieldsFragment } from '../gql/graphql';
import { describeError } from '../api/errors';

interface Props {
  label: string;
  selected: UserFieldsFragment[];
  onToggle(user: UserFieldsFragment): void;
  /** Users not to offer (the caller, members already in). */
  excludeIds: string[];
}

export function UserSearch({ label, selected, onToggle, excludeIds }: Props) {
  const inputId = useId();
  const [text, setText] = useState('');
  const search = useDebounced(text.trim(), 200);
  const [{ data, fetching, error }] = useQuery({
    query: UsersDocument,
    variables: { search, first: 20 },
    pause: search.length === 0,
    requestPolicy: 'cache-and-network',
  });
  const results = (data?.users.edges ?? [])
    .map((edge) => edge.node)
    .filter((user) => !excludeIds.includes(user.id));
  const selectedIds = new Set(selected.map((u) => u.id));

  return (
    <div className="user-search">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        type="search"
        autoComplete="off"
        placeholder="Name or username"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      {error && (
        <p className="error" role="alert">
          {describeError(error)}
        </p>
      )}
      {search && !fetching && results.length === 0 && !error && (
        <p className="muted">Nobody found for “{search}”.</p>
      )}
      <ul className="user-search__results" aria-label="People found">
        {search &&
          results.map((user) => (
            <li key={user.id}>
              <button
                type="button"
                className="user-option"
                aria-pressed={selectedIds.has(user.id)}
                onClick={() => onToggle(user)}
              >
                <span className="user-option__name">{user.displayName}</span>
                <span className="muted">@{user.username}</span>
              </button>
            </li>
          ))}
      </ul>
    </div>
  );
}

/** Selected people as removable chips. */
export function SelectedUsers({
  users,
  onRemove,
}: {
  users: UserFieldsFragment[];
  onRemove(user: UserFieldsFragment): void;
}) {
  if (users.length === 0) return null;
  return (
    <ul className="chips" aria-label="Selected">
      {users.map((user) => (
        <li key={user.id} className="chip">
          {user.displayName}
          <button
            type="button"
            className="chip__remove"
            aria-label={`Remove ${user.displayName}`}
            onClick={() => onRemove(user)}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

export function toggleUser(list: UserFieldsFragment[], user: UserFieldsFragment) {
  return list.some((u) => u.id === user.id)
    ? list.filter((u) => u.id !== user.id)
    : [...list, user];
}
