/**
 * Attachments as clients use them, over real HTTP multipart and a real database: upload, send
 * with a message, download (whole or a range), visible to participants only; hostile or oversized
 * files refused with nothing kept; attaching someone else's, a foreign or a spent upload refused
 * with nothing stored; unattached uploads swept.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ATTACHMENT_SCANNER,
  type AttachmentScanner,
} from '../../src/attachments/attachment.scanner.js';
import { countQueries } from '../support/app.js';
import { countMessages } from '../support/database.js';
import { createConversation, MESSAGE_FIELDS } from '../support/factories.js';
import { docx, listFiles, png, sha256, upload as uploadTo } from '../support/files.js';
import { useApp, useUsers } from '../support/fixtures.js';
import {
  errorCode,
  gql,
  gqlOk,
  registerUser,
  registerUsers,
  type TestUser,
} from '../support/gql.js';
import { waitUntil } from '../support/wait.js';
import { connectWs, subscribe, waitForSubscriptions } from '../support/ws.js';

const MAX_UPLOAD_BYTES = 4096;

const dataDir = mkdtempSync(join(tmpdir(), 'chat-attachments-'));
// Registered first, so it runs last: after the app has closed.
afterAll(() => rm(dataDir, { recursive: true, force: true }));
const { db, app } = useApp(() => ({
  DATA_DIR: dataDir,
  MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
}));
const [alice, bob, carol] = useUsers(app, ['alice', 'bob', 'carol']);
/** alice and bob; carol is never in it. */
let shared: { id: string };

beforeAll(async () => {
  shared = await createConversation(app.url, alice.token, [bob.id], 'files');
});

const ATTACHMENT_FIELDS = 'attachments { id fileName contentType size url }';
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE_FIELDS} ${ATTACHMENT_FIELDS} } }`;

const upload = (
  token: string,
  conversationId: string,
  bytes: Uint8Array | string,
  fileName?: string,
  type?: string,
) => uploadTo(app.url, token, conversationId, bytes, fileName, type);

async function uploadOk(
  token: string,
  conversationId: string,
  bytes: Uint8Array | string,
  fileName?: string,
) {
  const res = await upload(token, conversationId, bytes, fileName);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as {
    id: string;
    fileName: string;
    contentType: string;
    size: number;
    url: string;
  };
}

async function download(token: string, url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}${url}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function send(token: string, input: Record<string, unknown>) {
  return gql(app.url, SEND, { input }, token);
}

/** What a refused request must not have changed. */
async function snapshot(conversationId: string) {
  const [conversation] = await db.query('SELECT last_seq FROM conversations WHERE id = $1', [
    conversationId,
  ]);
  const [attachments] = await db.query('SELECT count(*)::int AS n FROM attachments', []);
  const files = await listFiles(join(dataDir, 'files'));
  return {
    messages: await countMessages(db, conversationId),
    lastSeq: conversation.last_seq,
    attachments: attachments.n,
    files: files.length,
  };
}

describe('upload, send, download', () => {
  it('delivers the same bytes to a participant; strangers get 404 for the upload and for the file', async () => {
    const bytes = png();
    const uploaded = await uploadOk(alice.token, shared.id, bytes, 'cat.png');
    expect(uploaded).toEqual({
      id: expect.any(String),
      fileName: 'cat.png',
      contentType: 'image/png',
      size: bytes.length,
      url: `/files/${uploaded.id}`,
    });
    const sent = await send(alice.token, {
      conversationId: shared.id,
      text: 'look',
      attachmentIds: [uploaded.id],
    });
    expect(sent.errors).toBeUndefined();
    expect(sent.data.sendMessage.attachments).toEqual([uploaded]);

    const got = await download(bob.token, uploaded.url);
    expect(got.status).toBe(200);
    expect(sha256(got.bytes)).toBe(sha256(bytes));
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('content-length')).toBe(String(bytes.length));
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(got.headers.get('content-disposition')).toBe(
      `attachment; filename="cat.png"; filename*=UTF-8''cat.png`,
    );

    const [row] = await db.query('SELECT sha256, size FROM attachments WHERE id = $1', [
      uploaded.id,
    ]);
    expect(row).toEqual({ sha256: sha256(bytes), size: bytes.length });

    const strangerUpload = await upload(carol.token, shared.id, 'hello');
    expect(strangerUpload).toEqual({
      status: 404,
      body: { statusCode: 404, code: 'NOT_FOUND', message: 'Conversation not found' },
    });
    const unknownUpload = await upload(
      carol.token,
      '00000000-0000-4000-8000-000000000000',
      'hello',
    );
    expect(unknownUpload).toEqual(strangerUpload);
    const strangerDownload = await download(carol.token, uploaded.url);
    const unknownDownload = await download(
      carol.token,
      '/files/00000000-0000-4000-8000-000000000000',
    );
    expect(strangerDownload.status).toBe(404);
    expect(JSON.parse(strangerDownload.bytes.toString())).toEqual(
      JSON.parse(unknownDownload.bytes.toString()),
    );
    expect((await download(carol.token, '/files/not-a-uuid')).status).toBe(404);
    expect((await fetch(`${app.url}${uploaded.url}`)).status).toBe(401);
  });

  it('types files by their bytes: a DOCX (a ZIP container) and UTF-8 text', async () => {
    const word = await uploadOk(alice.token, shared.id, docx(), 'report.docx');
    expect(word.contentType).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    const text = await uploadOk(alice.token, shared.id, 'Grüße\tfrom\r\nthe test ✓\n', 'notes.md');
    expect(text).toMatchObject({ contentType: 'text/plain', fileName: 'notes.md' });
    const got = await download(alice.token, text.url);
    expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(got.bytes.toString('utf8')).toBe('Grüße\tfrom\r\nthe test ✓\n');
  });

  it('accepts a message with attachments and no text, and shows attachments in GraphQL history and REST JSON', async () => {
    const c = await createConversation(app.url, alice.token, [bob.id], 'only files');
    const first = await uploadOk(alice.token, c.id, png(), 'one.png');
    const second = await uploadOk(alice.token, c.id, 'two', 'two.txt');
    const sent = await send(alice.token, {
      conversationId: c.id,
      attachmentIds: [first.id, second.id],
    });
    expect(sent.errors).toBeUndefined();
    expect(sent.data.sendMessage).toMatchObject({ text: '', seq: 1, attachments: [first, second] });
    await send(alice.token, { conversationId: c.id, text: 'no files' });

    const { result: history, queries } = await countQueries(app, () =>
      gqlOk(
        app.url,
        `query($c: ID!) { messages(conversationId: $c, last: 10) { edges { node { seq text ${ATTACHMENT_FIELDS} } } } }`,
        { c: c.id },
        bob.token,
      ),
    );
    // The membership check, the page, and one batched read of its attachments: not one per message.
    expect(queries).toBe(3);
    expect(history.messages.edges.map((e: any) => e.node)).toEqual([
      { seq: 1, text: '', attachments: [first, second] },
      { seq: 2, text: 'no files', attachments: [] },
    ]);

    const rest = await fetch(`${app.url}/conversations/${c.id}/messages`, {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    const page = (await rest.json()) as any;
    expect(page.items.map((m: any) => [m.seq, m.attachments])).toEqual([
      [2, []],
      [1, [first, second]],
    ]);

    const third = await uploadOk(alice.token, c.id, 'three', 'three.txt');
    const restSend = await fetch(`${app.url}/conversations/${c.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ attachmentIds: [third.id], clientMessageId: 'rest-1' }),
    });
    expect(restSend.status).toBe(201);
    const restMessage = (await restSend.json()) as any;
    expect(restMessage).toMatchObject({ seq: 3, text: '', attachments: [third] });
    // A retry finds its attachments taken by the first send: it gets that message back.
    const retry = await fetch(`${app.url}/conversations/${c.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ attachmentIds: [third.id], clientMessageId: 'rest-1' }),
    });
    expect(await retry.json()).toEqual(restMessage);
  });

  it('delivers attachments inside the real-time event', async () => {
    const c = await createConversation(app.url, alice.token, [bob.id], 'live files');
    const ws = await connectWs(app.wsUrl, bob.token);
    try {
      const sub = await waitForSubscriptions([app], 1, () =>
        subscribe(
          ws,
          `subscription($c: ID) { messageAdded(conversationId: $c) { seq ${ATTACHMENT_FIELDS} } }`,
          { c: c.id },
        ),
      );
      const file = await uploadOk(alice.token, c.id, png(), 'live.png');
      await send(alice.token, { conversationId: c.id, attachmentIds: [file.id] });
      const [event] = await sub.waitFor(1);
      expect(event.messageAdded).toEqual({ seq: 1, attachments: [file] });
      sub.unsubscribe();
    } finally {
      await ws.dispose();
    }
  });

  it('serves byte ranges: 206 with Content-Range, and 416 past the end', async () => {
    const bytes = Buffer.from('0123456789abcdef', 'utf8');
    const file = await uploadOk(alice.token, shared.id, bytes, 'digits.txt');
    const middle = await download(bob.token, file.url, { range: 'bytes=2-5' });
    expect(middle.status).toBe(206);
    expect(middle.bytes.toString()).toBe('2345');
    expect(middle.headers.get('content-range')).toBe('bytes 2-5/16');
    expect(middle.headers.get('content-length')).toBe('4');
    const tail = await download(bob.token, file.url, { range: 'bytes=-3' });
    expect([tail.status, tail.bytes.toString()]).toEqual([206, 'def']);
    const open = await download(bob.token, file.url, { range: 'bytes=10-' });
    expect([open.status, open.bytes.toString(), open.headers.get('content-range')]).toEqual([
      206,
      'abcdef',
      'bytes 10-15/16',
    ]);
    const past = await download(bob.token, file.url, { range: 'bytes=16-20' });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */16');
    const ignored = await download(bob.token, file.url, { range: 'bytes=0-1,4-5' });
    expect([ignored.status, ignored.bytes.length]).toEqual([200, 16]);
  });
});

describe('hostile and oversized uploads', () => {
  it.each([
    [
      'HTML named photo.png',
      '<!DOCTYPE html><html><script>alert(1)</script></html>',
      'photo.png',
      'image/png',
    ],
    [
      'SVG with script',
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      'x.svg',
      'image/svg+xml',
    ],
    ['XML', '<?xml version="1.0"?><a/>', 'a.txt', 'text/plain'],
    ['script after some text', 'hello\n<SCRIPT>alert(1)</SCRIPT>', 'b.txt', 'text/plain'],
    ['text with NUL', 'abc\u0000def', 'c.txt', 'text/plain'],
    ['invalid UTF-8', Buffer.from([0x61, 0xff, 0xfe, 0x62]), 'd.txt', 'text/plain'],
    [
      'a Windows executable',
      Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]),
      'e.pdf',
      'application/pdf',
    ],
    ['an empty file', '', 'empty.txt', 'text/plain'],
  ])('refuses %s with 400 and keeps nothing', async (_name, bytes, fileName, type) => {
    const before = await snapshot(shared.id);
    const res = await upload(alice.token, shared.id, bytes, fileName, type);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.code).toBe('BAD_USER_INPUT');
    expect(await snapshot(shared.id)).toEqual(before);
  });

  it('refuses what the scanner finds infected (400) and, while the scanner fails, everything (503), keeping nothing', async () => {
    const scanner = app.app.get<AttachmentScanner>(ATTACHMENT_SCANNER);
    const before = await snapshot(shared.id);
    let scanned = '';
    const scan = vi.spyOn(scanner, 'scan').mockImplementationOnce(async (subject) => {
      scanned = await text(await subject.open());
      return { clean: false, reason: 'Test-Signature' };
    });
    try {
      const infected = await upload(alice.token, shared.id, 'pretend this is malware', 'bad.txt');
      expect(infected.status).toBe(400);
      expect(infected.body.code).toBe('BAD_USER_INPUT');
      expect(scanned).toBe('pretend this is malware');
      expect(scan).toHaveBeenCalledWith(
        expect.objectContaining({ contentType: 'text/plain', size: 23, fileName: 'bad.txt' }),
      );
      scan.mockRejectedValueOnce(new Error('clamd unreachable'));
      const unscanned = await upload(alice.token, shared.id, 'cannot be scanned', 'unknown.txt');
      expect(unscanned.status).toBe(503);
      expect(unscanned.body.code).toBe('SERVICE_UNAVAILABLE');
      expect(await snapshot(shared.id)).toEqual(before);
    } finally {
      scan.mockRestore();
    }
  });

  it('keeps no path in the name: ../../etc/passwd is shown as a plain name', async () => {
    const file = await uploadOk(alice.token, shared.id, 'root:x:0:0\n', '../../etc/passwd');
    expect(file.fileName).not.toMatch(/[/\\]/);
    expect(file.fileName.startsWith('passwd')).toBe(true);
    const [row] = await db.query('SELECT file_name, storage_key FROM attachments WHERE id = $1', [
      file.id,
    ]);
    expect(row.file_name).toBe(file.fileName);
    expect(row.storage_key).not.toContain('passwd');
    const windows = await uploadOk(alice.token, shared.id, 'x', '..\\..\\boot.ini');
    expect(windows.fileName).not.toMatch(/[/\\]/);
    const got = await download(alice.token, file.url);
    expect(got.headers.get('content-disposition')).toMatch(
      /^attachment; filename="passwd[^/"]*"; filename\*=UTF-8''passwd/,
    );
  });

  it('offers a non-ASCII name as RFC 5987 filename* with an ASCII fallback', async () => {
    const file = await uploadOk(alice.token, shared.id, 'hi', 'résumé (final) ✓.txt');
    expect(file.fileName).toBe('résumé (final) ✓.txt');
    const got = await download(alice.token, file.url);
    expect(got.headers.get('content-disposition')).toBe(
      `attachment; filename="resume (final) .txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%28final%29%20%E2%9C%93.txt`,
    );
  });

  it('takes a file of exactly MAX_UPLOAD_BYTES, and refuses one byte more with 413, keeping no row and no file', async () => {
    await uploadOk(alice.token, shared.id, 'a'.repeat(MAX_UPLOAD_BYTES), 'full.txt');
    const before = await snapshot(shared.id);
    const res = await upload(alice.token, shared.id, 'a'.repeat(MAX_UPLOAD_BYTES + 1), 'big.txt');
    expect(res).toEqual({
      status: 413,
      body: { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) },
    });
    expect(await snapshot(shared.id)).toEqual(before);
    // Also when the client understates nothing and the body is far over the limit.
    const huge = await upload(alice.token, shared.id, 'a'.repeat(200_000), 'huge.txt');
    expect(huge.status).toBe(413);
    expect(await snapshot(shared.id)).toEqual(before);
  });

  it('leaves nothing behind when the client goes away mid-upload', async () => {
    const before = await snapshot(shared.id);
    const boundary = 'x-boundary';
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${app.url}/conversations/${shared.id}/file`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${alice.token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': '3000',
        },
      });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\n\r\n${'a'.repeat(1000)}`,
      );
      setTimeout(() => req.destroy(), 300);
    });
    await expect.poll(() => snapshot(shared.id), { timeout: 5000 }).toEqual(before);
    // Nor half a file waiting somewhere.
    expect(await listFiles(join(dataDir, 'files', '.tmp'))).toEqual([]);
  });

  it('answers 400 to a request without a file, or that is not multipart', async () => {
    const form = new FormData();
    form.append('other', 'value');
    const noFile = await fetch(`${app.url}/conversations/${shared.id}/file`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: form,
    });
    expect(noFile.status).toBe(400);
    const json = await fetch(`${app.url}/conversations/${shared.id}/file`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ file: 'x' }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as any).code).toBe('BAD_USER_INPUT');
    const urlencoded = await fetch(`${app.url}/conversations/${shared.id}/file`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: new URLSearchParams({ file: 'x' }),
    });
    expect(urlencoded.status).toBe(400);
    // The file part is complete, the form is not: refused, and the stored part goes too.
    const before = await snapshot(shared.id);
    const unfinished = await fetch(`${app.url}/conversations/${shared.id}/file`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice.token}`,
        'content-type': 'multipart/form-data; boundary=b',
      },
      body: '--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello\r\n--b',
    });
    expect(unfinished.status).toBe(400);
    expect(await snapshot(shared.id)).toEqual(before);
  });
});

describe('attaching', () => {
  it("refuses someone else's upload, one of another conversation, and one already sent, storing nothing", async () => {
    const c = await createConversation(app.url, alice.token, [bob.id, carol.id], 'attach rules');
    const other = await createConversation(app.url, alice.token, [bob.id], 'elsewhere');
    const bobs = await uploadOk(bob.token, c.id, 'by bob', 'bob.txt');
    const elsewhere = await uploadOk(alice.token, other.id, 'other place', 'other.txt');
    const spent = await uploadOk(alice.token, c.id, 'spent', 'spent.txt');
    const fresh = await uploadOk(alice.token, c.id, 'fresh', 'fresh.txt');
    expect(
      (await send(alice.token, { conversationId: c.id, text: 'first', attachmentIds: [spent.id] }))
        .errors,
    ).toBeUndefined();

    const before = await snapshot(c.id);
    expect(before).toMatchObject({ messages: 1, lastSeq: 1 });
    for (const attachmentIds of [
      [bobs.id],
      [elsewhere.id],
      [spent.id],
      [fresh.id, spent.id],
      ['00000000-0000-4000-8000-000000000000'],
      ['not-a-uuid'],
      Array.from({ length: 11 }, () => fresh.id),
    ]) {
      const res = await send(alice.token, { conversationId: c.id, text: 'again', attachmentIds });
      expect(errorCode(res), JSON.stringify(attachmentIds)).toBe('BAD_USER_INPUT');
    }
    expect(await snapshot(c.id)).toEqual(before);
    const [row] = await db.query('SELECT message_id FROM attachments WHERE id = $1', [fresh.id]);
    expect(row.message_id).toBeNull();

    // A stranger learns nothing: NOT_FOUND, as for any conversation not theirs.
    const outsider = await registerUser(app.url, 'outsider');
    expect(
      errorCode(await send(outsider.token, { conversationId: c.id, attachmentIds: [fresh.id] })),
    ).toBe('NOT_FOUND');
    // The fresh one is still attachable, and the seq goes on without a gap.
    const ok = await send(alice.token, { conversationId: c.id, attachmentIds: [fresh.id] });
    expect(ok.data.sendMessage.seq).toBe(2);
  });

  it('lets one of two racing sends take an upload', async () => {
    const c = await createConversation(app.url, alice.token, [bob.id], 'race for a file');
    const file = await uploadOk(alice.token, c.id, 'contested', 'contested.txt');
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        send(alice.token, { conversationId: c.id, text: `try ${i}`, attachmentIds: [file.id] }),
      ),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => errorCode(r) === 'BAD_USER_INPUT')).toHaveLength(3);
    expect(await snapshot(c.id)).toMatchObject({ messages: 1, lastSeq: 1 });
  });
});

describe('the sweep of unattached uploads', () => {
  /** The shortest settings the config allows: a sweep every second, uploads older than 60 s. */
  const SWEEP = { UPLOAD_SWEEP_INTERVAL_SECONDS: '1', UPLOAD_UNATTACHED_TTL_SECONDS: '60' };
  const sweepDir = mkdtempSync(join(tmpdir(), 'chat-sweep-'));
  afterAll(() => rm(sweepDir, { recursive: true, force: true }));
  // An api instance that sweeps on its timer, on a database of its own.
  const sweeper = useApp({ env: { ...SWEEP, DATA_DIR: sweepDir } });
  // On this file's database, beside its app (whose first sweep is an hour away): a realtime
  // instance with the sweeper's timer settings, which must never sweep.
  useApp({ db, env: { ...SWEEP, DATA_DIR: dataDir, APP_ROLE: 'realtime' } });

  /** Makes an upload look `seconds` old, as if it had been sent that long ago. */
  const age = (db: typeof sweeper.db, id: string, seconds = 120) =>
    db.query(
      `UPDATE attachments SET created_at = now() - make_interval(secs => $2) WHERE id = $1`,
      [id, seconds],
    );
  const keyOf = async (db: typeof sweeper.db, id: string) =>
    (await db.query('SELECT storage_key FROM attachments WHERE id = $1', [id]))[0]?.storage_key as
      string | undefined;
  /** One old unattached upload on `app`, as `user`. */
  async function oldUpload(on: typeof sweeper, user: TestUser, conversationId: string) {
    const res = await uploadTo(on.app.url, user.token, conversationId, 'never sent', 'old.txt');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await age(on.db, res.body.id);
    return res.body as { id: string; url: string };
  }

  it('removes, on its timer, uploads never sent once they are old, row and file; keeps sent and young ones', async () => {
    const [me, peer] = await registerUsers(sweeper.app.url, ['sweeper', 'peer']);
    const c = await createConversation(sweeper.app.url, me.token, [peer.id], 'sweep');
    const post = async (text: string) =>
      (await uploadTo(sweeper.app.url, me.token, c.id, text, `${text}.txt`)).body as {
        id: string;
        url: string;
      };
    const kept = await post('sent');
    const young = await post('young');
    const dropped = await post('dropped');
    expect(
      (
        await gql(
          sweeper.app.url,
          SEND,
          { input: { conversationId: c.id, attachmentIds: [kept.id] } },
          me.token,
        )
      ).errors,
    ).toBeUndefined();
    const droppedPath = join(sweepDir, 'files', (await keyOf(sweeper.db, dropped.id))!);
    expect(await listFiles(join(sweepDir, 'files'))).toContain(droppedPath);
    await Promise.all([age(sweeper.db, kept.id), age(sweeper.db, dropped.id)]);

    await waitUntil(
      async () => !(await keyOf(sweeper.db, dropped.id)),
      'the timer to sweep',
      10_000,
    );
    // The same sweep judged the young one: it stays until it is as old.
    expect(await keyOf(sweeper.db, young.id)).toBeDefined();
    expect(await listFiles(join(sweepDir, 'files'))).not.toContain(droppedPath);
    const download = (token: string, url: string) =>
      fetch(`${sweeper.app.url}${url}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await download(me.token, dropped.url)).status).toBe(404);
    const sent = await download(peer.token, kept.url);
    expect([sent.status, await sent.text()]).toEqual([200, 'sent']);
    const late = await gql(
      sweeper.app.url,
      SEND,
      { input: { conversationId: c.id, attachmentIds: [dropped.id] } },
      me.token,
    );
    expect(errorCode(late)).toBe('BAD_USER_INPUT');
  });

  it('never sweeps on a realtime instance', async () => {
    const guarded = await oldUpload({ db, app, env: {} }, alice, shared.id);
    // The sentinel: two sweeps by the sweeper's timer (same interval, started before the gated
    // instance) after the upload became old. A realtime timer would have run in between.
    const [other, friend] = await registerUsers(sweeper.app.url, ['clock', 'friend']);
    const elsewhere = await createConversation(sweeper.app.url, other.token, [friend.id]);
    for (let tick = 1; tick <= 2; tick++) {
      const first = await oldUpload(sweeper, other, elsewhere.id);
      await waitUntil(async () => !(await keyOf(sweeper.db, first.id)), `sweep ${tick}`, 10_000);
    }
    expect(await keyOf(db, guarded.id)).toBeDefined();
    const [row] = await db.query('SELECT storage_key FROM attachments WHERE id = $1', [guarded.id]);
    expect(await listFiles(join(dataDir, 'files'))).toContain(
      join(dataDir, 'files', row.storage_key),
    );
  });
});
