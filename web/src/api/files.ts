/**
 * Attachments over REST: upload into a conversation, and download with the bearer token. An
 * <img> cannot send that header, so images are fetched as blobs and shown from object URLs
 * (cached per attachment for the session; revoked on sign-out).
 */
import { session } from './session';

export interface UploadedFile {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  url: string;
}

function authorization(): Record<string, string> {
  const token = session.get()?.token;
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function failure(response: Response): Promise<Error> {
  const body = (await response.json().catch(() => null)) as { message?: string } | null;
  return new Error(body?.message ?? `The server answered ${response.status}`);
}

export async function uploadFile(conversationId: string, file: File): Promise<UploadedFile> {
  const form = new FormData();
  form.append('file', file, file.name);
  const response = await fetch(`/conversations/${encodeURIComponent(conversationId)}/file`, {
    method: 'POST',
    headers: authorization(),
    body: form,
  });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as UploadedFile;
}

const objectUrls = new Map<string, Promise<string>>();

/** An object URL for the attachment's bytes, fetched once per session. */
export function fileObjectUrl(url: string): Promise<string> {
  let pending = objectUrls.get(url);
  if (!pending) {
    pending = fetch(url, { headers: authorization() }).then(async (response) => {
      if (!response.ok) throw await failure(response);
      return URL.createObjectURL(await response.blob());
    });
    pending.catch(() => objectUrls.delete(url));
    objectUrls.set(url, pending);
  }
  return pending;
}

/** Saves an attachment under its own name (a link click on a blob URL with `download`). */
export async function downloadFile(url: string, fileName: string): Promise<void> {
  const link = document.createElement('a');
  link.href = await fileObjectUrl(url);
  link.download = fileName;
  link.click();
}

session.subscribe(() => {
  if (session.get()) return;
  for (const pending of objectUrls.values()) pending.then(URL.revokeObjectURL, () => undefined);
  objectUrls.clear();
});
