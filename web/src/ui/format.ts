/** How conversations, messages and sizes read on screen. */
import type { UserFieldsFragment } from '../gql/graphql';
import type { Message } from '../state/feed';

interface Named {
  title: string | null;
  participants: UserFieldsFragment[];
}

export function othersIn(conversation: Named, meId: string): UserFieldsFragment[] {
  return conversation.participants.filter((p) => p.id !== meId);
}

export function conversationName(conversation: Named, meId: string): string {
  if (conversation.title) return conversation.title;
  const others = othersIn(conversation, meId);
  return others.length > 0 ? others.map((p) => p.displayName).join(', ') : 'Just you';
}

export function messagePreview(message: Message | null, meId: string): string {
  if (!message) return 'No messages yet';
  const who = message.sender.id === meId ? 'You: ' : '';
  const files = message.attachments.length;
  const body = message.text || (files === 1 ? 'a file' : `${files} files`);
  return who + body;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** A time today, a date before. */
export function shortTime(iso: string): string {
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString()
    ? timeFormat.format(date)
    : dateFormat.format(date);
}

export function clockTime(iso: string): string {
  return timeFormat.format(new Date(iso));
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
