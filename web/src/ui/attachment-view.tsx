/** A message's attachment: an image shown inline (fetched with the token), another file a download. */
import { useEffect, useState } from 'react';
import { downloadFile, fileObjectUrl } from '../api/files';
import type { Message } from '../state/feed';
import { fileSize } from './format';
import { PaperclipIcon } from './icons';

type Attachment = Message['attachments'][number];

export function AttachmentView({ attachment, onLoad }: { attachment: Attachment; onLoad(): void }) {
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
