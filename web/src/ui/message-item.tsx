/** One message: sender, text, time and attachments (images inline); or one still being sent. */
import { PaperclipIcon } from './icons';
import { useEffect, useState } from 'react';
import { downloadFile, fileObjectUrl } from '../api/files';
import type { Message, PendingMessage } from '../state/feed';
import { clockTime, fileSize } from './format';

type Attachment = Message['attachments'][number];

interface Props {
  message: Message;
  mine: boolean;
  showSender: boolean;
  onMediaLoad(): void;
}

export function MessageItem({ message, mine, showSender, onMediaLoad }: Props) {
  return (
    <li className={mine ? 'msg msg--mine' : 'msg'} data-seq={message.seq}>
      {showSender && !mine && <p className="msg__sender">{message.sender.displayName}</p>}
      <div className="msg__bubble">
        {message.attachments.map((a) => (
          <AttachmentView key={a.id} attachment={a} onLoad={onMediaLoad} />
        ))}
        {message.text && <p className="msg__text">{message.text}</p>}
        <time className="msg__time" dateTime={message.createdAt}>
          {mine && <span className="sr-only">You, </span>}
          {clockTime(message.createdAt)}
        </time>
      </div>
    </li>
  );
}

export function PendingItem({
  pending,
  onRetry,
}: {
  pending: PendingMessage;
  onRetry(clientMessageId: string): void;
}) {
  const failed = pending.status === 'failed';
  return (
    <li className={`msg msg--mine msg--${pending.status}`} aria-busy={!failed}>
      <div className="msg__bubble">
        {pending.fileNames.map((name) => (
          <p key={name} className="msg__file">
            <PaperclipIcon /> {name}
          </p>
        ))}
        {pending.text && <p className="msg__text">{pending.text}</p>}
        {failed ? (
          <p className="msg__failure" role="alert">
            Not sent: {pending.error}{' '}
            <button type="button" className="link" onClick={() => onRetry(pending.clientMessageId)}>
              Retry
            </button>
          </p>
        ) : (
          <p className="msg__time">Sending…</p>
        )}
      </div>
    </li>
  );
}

function AttachmentView({ attachment, onLoad }: { attachment: Attachment; onLoad(): void }) {
  if (attachment.contentType.startsWith('image/'))
    return <AuthImage attachment={attachment} onLoad={onLoad} />;
  return (
    <button
      type="button"
      className="msg__file link"
      onClick={() => void downloadFile(attachment.url, attachment.fileName)}
    >
      <PaperclipIcon /> {attachment.fileName}{' '}
      <span className="muted">({fileSize(attachment.size)})</span>
    </button>
  );
}

/** The image's bytes need the bearer token, so they come through fetch and an object URL. */
function AuthImage({ attachment, onLoad }: { attachment: Attachment; onLoad(): void }) {
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let current = true;
    fileObjectUrl(attachment.url).then(
      (url) => current && setSrc(url),
      () => current && setFailed(true),
    );
    return () => {
      current = false;
    };
  }, [attachment.url]);
  if (failed) return <p className="msg__file muted">Image unavailable: {attachment.fileName}</p>;
  if (!src)
    return (
      <span
        className="msg__image msg__image--loading"
        role="img"
        aria-label={`Loading ${attachment.fileName}`}
      />
    );
  return <img className="msg__image" src={src} alt={attachment.fileName} onLoad={onLoad} />;
}
