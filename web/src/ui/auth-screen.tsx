/** Sign in, or create an account (which signs in too). */
import { useState, type FormEvent } from 'react';
import { graphqlClient } from '../api/client';
import { describeError } from '../api/errors';
import { session } from '../api/session';
import { LoginDocument, RegisterDocument } from '../gql/graphql';

const anonymous = graphqlClient(() => null);

export function AuthScreen() {
  const [mode, setMode] = useState<'signin' | 'signup'>('signin');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(session.endReason());
  const signingUp = mode === 'signup';

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const credentials = { username: username.trim(), password };
    const result = signingUp
      ? await anonymous
          .mutation(RegisterDocument, {
            input: { ...credentials, displayName: displayName.trim() || undefined },
          })
          .toPromise()
      : await anonymous.mutation(LoginDocument, { input: credentials }).toPromise();
    setBusy(false);
    const auth =
      result.data && ('register' in result.data ? result.data.register : result.data.login);
    if (auth)
      session.signIn({
        token: auth.accessToken,
        refreshToken: auth.refreshToken,
        expiresAt: auth.accessTokenExpiresAt,
        user: auth.user,
      });
    else setError(result.error ? describeError(result.error) : 'Something went wrong');
  }

  return (
    <main className="auth">
      <form className="auth__card" onSubmit={submit} aria-labelledby="auth-title">
        <h1 id="auth-title">{signingUp ? 'Create an account' : 'Sign in to Chat'}</h1>
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            required
            minLength={3}
            maxLength={32}
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            aria-describedby={signingUp ? 'username-hint' : undefined}
          />
        </label>
        {signingUp && (
          <p className="hint" id="username-hint">
            3–32 characters: letters, digits, “_” and “.”
          </p>
        )}
        {signingUp && (
          <label>
            Display name <span className="optional">(optional)</span>
            <input
              name="displayName"
              autoComplete="nickname"
              maxLength={64}
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
            />
          </label>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={signingUp ? 'new-password' : 'current-password'}
            required
            minLength={signingUp ? 8 : undefined}
            maxLength={128}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {signingUp ? 'Create account' : 'Sign in'}
        </button>
        <p className="auth__switch">
          {signingUp ? 'Have an account?' : 'New here?'}{' '}
          <button
            type="button"
            className="link"
            onClick={() => {
              setMode(signingUp ? 'signin' : 'signup');
              setError(null);
            }}
          >
            {signingUp ? 'Sign in' : 'Create an account'}
          </button>
        </p>
      </form>
    </main>
  );
}
