import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../common/errors/domain-error.js';
import { UserExistence } from './user-existence.service.js';
import type { UsersRepository } from './users.repository.js';

/** A repository whose checks are answered when the test says so. */
function fakeUsers(existing: Set<string>) {
  const asked: string[] = [];
  const answers: (() => void)[] = [];
  let failNext = false;
  const users = {
    countExisting: (ids: string[]) => {
      asked.push(...ids);
      const fail = failNext;
      failNext = false;
      return new Promise<number>((resolve, reject) =>
        answers.push(() =>
          fail
            ? reject(new Error('pool timeout'))
            : resolve(ids.filter((id) => existing.has(id)).length),
        ),
      );
    },
  };
  return {
    asked,
    answerAll: () => answers.splice(0).forEach((answer) => answer()),
    failNext: () => (failNext = true),
    users: users as unknown as UsersRepository,
  };
}

describe('UserExistence', () => {
  it('asks once for the devices of one user checking at once, then not again', async () => {
    const db = fakeUsers(new Set(['ann']));
    const existence = new UserExistence(db.users);
    const checks = [1, 2, 3, 4, 5].map(() => existence.assertExists('ann'));
    db.answerAll();
    await Promise.all(checks);
    await existence.assertExists('ann');
    expect(db.asked).toEqual(['ann']);
  });

  it('refuses everyone waiting on a user who does not exist, and asks again next time', async () => {
    const db = fakeUsers(new Set());
    const existence = new UserExistence(db.users);
    const checks = [1, 2].map(() => existence.assertExists('ghost'));
    db.answerAll();
    for (const check of checks) await expect(check).rejects.toBeInstanceOf(UnauthenticatedError);
    const again = existence.assertExists('ghost');
    db.answerAll();
    await expect(again).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(db.asked).toEqual(['ghost', 'ghost']);
  });

  it('passes a failed check on to whoever waited, and keeps nothing', async () => {
    const db = fakeUsers(new Set(['ann']));
    const existence = new UserExistence(db.users);
    db.failNext();
    const checks = [1, 2].map(() => existence.assertExists('ann'));
    db.answerAll();
    for (const check of checks) await expect(check).rejects.toThrow('pool timeout');
    const again = existence.assertExists('ann');
    db.answerAll();
    await again;
    expect(db.asked).toEqual(['ann', 'ann']);
  });

  it('does not keep a user deleted while the check was on its way', async () => {
    const db = fakeUsers(new Set(['ann']));
    const existence = new UserExistence(db.users);
    const check = existence.assertExists('ann');
    existence.forget('ann');
    db.answerAll();
    await check;
    const again = existence.assertExists('ann');
    db.answerAll();
    await again;
    expect(db.asked).toEqual(['ann', 'ann']);
  });
});
