/** REST body of POST /conversations/:id/messages (the same rules as SendMessageInput). */
import { MessageContent } from './send-message.input.js';

export class SendMessageBody extends MessageContent {}
