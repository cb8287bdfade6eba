/** What a job's push carries, built from what the worker read when the job ran. */
import type { JobContext } from './push-jobs.repository.js';
import type { PushMessage } from './push.transport.js';

const TTL_SECONDS = 86_400;
const TEXT_LIMIT = 100;

/** The notification: what the service worker shows, and how the push service treats it. */
export function messageOf(context: JobContext): PushMessage {
  return {
    payload: JSON.stringify({
      conversationId: context.conversationId,
      messageId: context.messageId,
      seq: context.seq,
      senderName: context.senderName,
      // By code point, so no half of a surrogate pair is ever sent.
      text: Array.from(context.text).slice(0, TEXT_LIMIT).join(''),
    }),
    ttlSeconds: TTL_SECONDS,
    // A UUID's 32 hex digits: valid base64url, at most 32 characters (RFC 8030).
    topic: context.conversationId.replaceAll('-', ''),
    urgency: context.isDirect ? 'high' : 'normal',
  };
}
