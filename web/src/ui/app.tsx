/** Signed out: the sign-in screen. Signed in: the chat, started afresh for each session. */
import { useSyncExternalStore } from 'react';
import { session } from '../api/session';
import { ChatProvider } from '../state/chat';
import { AuthScreen } from './auth-screen';
import { ChatScreen } from './chat-screen';

export function App() {
  const current = useSyncExternalStore(session.subscribe, session.get);
  if (!current) return <AuthScreen />;
  return (
    <ChatProvider key={current.since} session={current}>
      <ChatScreen />
    </ChatProvider>
  );
}
