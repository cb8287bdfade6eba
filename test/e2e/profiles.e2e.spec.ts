/**
 * Profiles as a client uses them, on two instances sharing storage: updateProfile changes the
 * display name (format characters removed, control characters refused) and the avatar; POST
 * /me/avatar takes an image — checked by its bytes, size-capped — and sets it; every signed-in
 * user reads it, nobody without a token does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useApp, useUsers } from '../support/fixtures.js';
import { png, sha256 } from '../support/files.js';
import { errorCode, gql, gqlOk } from '../support/gql.js';

const dataDir = mkdtempSync(join(tmpdir(), 'chat-avatars-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const { apps } = useApp({ instances: 2, env: { DATA_DIR: dataDir, MAX_AVATAR_BYTES: '4096' } });
const [alice, bob] = useUsers(apps[0], ['alice', 'bob']);

const UPDATE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id displayName avatarUrl } }`;
const USER = `query($id: ID!) { user(id: $id) { displayName avatarUrl } }`;

async function uploadAvatar(
  token: string,
  bytes: Uint8Array | string,
  app = apps[0],
): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/png' }), 'me.png');
  const res = await fetch(`${app.url}/me/avatar`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, body: await res.json() };
}

describe('updateProfile', () => {
  it('changes the display name, with format characters removed; others see it', async () => {
    const data = await gqlOk(
      apps[0].url,
      UPDATE,
      { input: { displayName: '  Al\u200bice \u202eA.  ' } },
      alice.token,
    );
    expect(data.updateProfile.displayName).toBe('Alice A.');
    const seen = await gqlOk(apps[1].url, USER, { id: alice.id }, bob.token);
    expect(seen.user.displayName).toBe('Alice A.');
  });

  it.each([
    ['a control character', 'Al\u0007ice'],
    ['NUL', 'Al\u0000ice'],
    ['nothing once cleaned', '\u200b\u200b'],
    ['65 characters', 'x'.repeat(65)],
  ])('refuses %s with BAD_USER_INPUT and changes nothing', async (_, displayName) => {
    const before = await gqlOk(apps[0].url, USER, { id: alice.id }, alice.token);
    const res = await gql(apps[0].url, UPDATE, { input: { displayName } }, alice.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(await gqlOk(apps[0].url, USER, { id: alice.id }, alice.token)).toEqual(before);
  });

  it('refuses an avatar id that is not one of the caller’s uploads (NOT_FOUND)', async () => {
    const bobs = await uploadAvatar(bob.token, png());
    expect(bobs.status).toBe(201);
    const res = await gql(
      apps[0].url,
      UPDATE,
      { input: { avatarUploadId: bobs.body.id } },
      alice.token,
    );
    expect(errorCode(res)).toBe('NOT_FOUND');
  });
});

describe('POST /me/avatar', () => {
  it('sets an image as the avatar; every signed-in user reads the same bytes on any instance', async () => {
    const image = png();
    const res = await uploadAvatar(alice.token, image);
    expect(res.status).toBe(201);
    expect(res.body.avatarUrl).toMatch(/^\/avatars\/[0-9a-f-]{36}$/);
    const me = await gqlOk(apps[1].url, USER, { id: alice.id }, bob.token);
    expect(me.user.avatarUrl).toBe(res.body.avatarUrl);

    const read = await fetch(`${apps[1].url}${res.body.avatarUrl}`, {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toBe('image/png');
    expect(read.headers.get('x-content-type-options')).toBe('nosniff');
    expect(sha256(new Uint8Array(await read.arrayBuffer()))).toBe(sha256(image));
    const anonymous = await fetch(`${apps[1].url}${res.body.avatarUrl}`);
    expect(anonymous.status).toBe(401);
  });

  it.each([
    ['text', 'not an image at all'],
    ['an SVG', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    ['a PDF', '%PDF-1.4\n%\u00e2\u00e3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF'],
  ])(
    'refuses %s by its bytes, whatever its declared type, and keeps the avatar',
    async (_, bytes) => {
      const before = await gqlOk(apps[0].url, USER, { id: alice.id }, alice.token);
      const res = await uploadAvatar(alice.token, bytes);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('BAD_USER_INPUT');
      expect(await gqlOk(apps[0].url, USER, { id: alice.id }, alice.token)).toEqual(before);
    },
  );

  it('refuses an image over MAX_AVATAR_BYTES with 413', async () => {
    const big = Buffer.concat([png(), Buffer.alloc(5000)]);
    const res = await uploadAvatar(alice.token, big);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('updateProfile picks an earlier upload back, and null removes the avatar', async () => {
    const first = (await uploadAvatar(alice.token, png())).body;
    const second = (await uploadAvatar(alice.token, png())).body;
    expect(second.avatarUrl).not.toBe(first.avatarUrl);
    const back = await gqlOk(
      apps[1].url,
      UPDATE,
      { input: { avatarUploadId: first.id } },
      alice.token,
    );
    expect(back.updateProfile.avatarUrl).toBe(first.avatarUrl);
    const removed = await gqlOk(
      apps[0].url,
      UPDATE,
      { input: { avatarUploadId: null } },
      alice.token,
    );
    expect(removed.updateProfile.avatarUrl).toBeNull();
  });
});
