/**
 * Issue 17 item 2: a login racing a credentials change must not survive it. The race is driven
 * deterministically: the hasher holds the login right after it verified the (still valid) old
 * password, the change runs and commits, then the login is let go.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../../../src/lib/passwords.js';
import { createTestApp, hasher, PASSWORD, type TestContext } from '../../helpers/app.js';

/** The test hasher; `holdNextVerify()` pauses the next verification after its verdict is known. */
function gatedHasher() {
  let next: { entered: () => void; release: Promise<void> } | undefined;
  const h: PasswordHasher = {
    hash: (p) => hasher.hash(p),
    async verify(stored, p) {
      const gate = next;
      next = undefined;
      const verdict = await hasher.verify(stored, p);
      if (gate) {
        gate.entered();
        await gate.release;
      }
      return verdict;
    },
    verifyDummy: (p) => hasher.verifyDummy(p),
  };
  return {
    h,
    holdNextVerify() {
      let entered!: () => void;
      let release!: () => void;
      const enteredP = new Promise<void>((r) => {
        entered = r;
      });
      next = { entered, release: new Promise<void>((r) => (release = r)) };
      return { entered: enteredP, release };
    },
  };
}

const gate = gatedHasher();
let t: TestContext;
beforeAll(async () => {
  t = await createTestApp({}, { hasher: gate.h });
});
afterAll(async () => t.close());

const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers = {}, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
const loginRequest = (email: string, password = PASSWORD) =>
  inject('POST', '/auth/login', {}, { email, password });

/** Sessions of the user that the service would still accept (active, issued under the current version). */
async function liveSessions(userId: string) {
  return t.db
    .selectFrom('user_sessions as s')
    .innerJoin('users as u', 'u.user_id', 's.user_id')
    .select('s.session_id')
    .where('s.user_id', '=', userId)
    .where('s.is_active', '=', 1)
    .whereRef('s.credentials_version', '=', 'u.credentials_version')
    .execute();
}

/** Starts a login with the current password, held after its verification; returns its pending answer. */
async function heldLogin(email: string) {
  const held = gate.holdNextVerify();
  const pending = loginRequest(email);
  await held.entered;
  return { release: held.release, pending };
}

describe('a login racing a credentials change (issue 17.2)', () => {
  it('POST /auth/change-password committed while the login verifies: the login is refused', async () => {
    const org = await t.factory.org();
    const user = await t.factory.user('student', org.org_id);
    const mine = await t.login(user);
    const race = await heldLogin(user.email);
    const change = await inject('POST', '/auth/change-password', mine.headers, {
      old_password: PASSWORD,
      new_password: 'Changed-Passw0rd',
    });
    expect(change.statusCode).toBe(200);
    race.release();
    const late = await race.pending;
    expect(late.statusCode).toBe(401);
    // Only the session the password was changed from remains.
    expect((await liveSessions(user.user_id)).map((s) => s.session_id)).toEqual([mine.sessionId]);
    expect((await inject('GET', '/auth/profile', mine.headers)).statusCode).toBe(200);
  });

  it("an admin's password reset committed while the login verifies: the login is refused", async () => {
    const org = await t.factory.org();
    const admin = await t.factory.user('admin', org.org_id);
    const user = await t.factory.user('teacher', org.org_id);
    const adminSession = await t.login(admin);
    const race = await heldLogin(user.email);
    const reset = await inject('PUT', `/admin/users/${user.user_id}`, adminSession.headers, {
      password: 'Reset-Passw0rd',
    });
    expect(reset.statusCode).toBe(200);
    race.release();
    expect((await race.pending).statusCode).toBe(401);
    expect(await liveSessions(user.user_id)).toHaveLength(0);
    expect((await loginRequest(user.email, 'Reset-Passw0rd')).statusCode).toBe(200);
  });

  it('DELETE /admin/users/{id} racing a login: no session comes back when the user is re-activated', async () => {
    const org = await t.factory.org();
    const admin = await t.factory.user('admin', org.org_id);
    const user = await t.factory.user('student', org.org_id);
    const adminSession = await t.login(admin);
    const race = await heldLogin(user.email);
    expect((await inject('DELETE', `/admin/users/${user.user_id}`, adminSession.headers)).statusCode).toBe(
      200,
    );
    race.release();
    const late = await race.pending;
    expect(late.statusCode).toBe(401);
    const back = await inject('PUT', `/admin/users/${user.user_id}`, adminSession.headers, {
      is_active: true,
    });
    expect(back.statusCode).toBe(200);
    expect(await liveSessions(user.user_id)).toHaveLength(0);
    const rows = await t.db
      .selectFrom('user_sessions')
      .select('is_active')
      .where('user_id', '=', user.user_id)
      .where('is_active', '=', 1)
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('a session issued under older credentials is refused even if nothing revoked it', async () => {
    const org = await t.factory.org();
    const user = await t.factory.user('student', org.org_id);
    const s = await t.login(user);
    expect((await inject('GET', '/auth/profile', s.headers)).statusCode).toBe(200);
    // As if a revocation had missed this row: only the version moved.
    await t.db
      .updateTable('users')
      .set((eb) => ({ credentials_version: eb('credentials_version', '+', 1) }))
      .where('user_id', '=', user.user_id)
      .execute();
    expect((await inject('GET', '/auth/profile', s.headers)).statusCode).toBe(401);
    expect((await inject('POST', '/auth/refresh', {}, { refresh_token: s.refresh })).statusCode).toBe(401);
  });

  it('a login that needs a rehash cannot overwrite a password changed while it verified', async () => {
    const bcrypt = (await import('bcryptjs')).default;
    const org = await t.factory.org();
    const admin = await t.factory.user('admin', org.org_id);
    const user = await t.factory.user('student', org.org_id, {
      password_hash: await bcrypt.hash(PASSWORD, 4),
    });
    const adminSession = await t.login(admin);
    const race = await heldLogin(user.email);
    const reset = await inject('PUT', `/admin/users/${user.user_id}`, adminSession.headers, {
      password: 'Reset-Passw0rd',
    });
    expect(reset.statusCode).toBe(200);
    race.release();
    expect((await race.pending).statusCode).toBe(401);
    // The old password did not come back through the rehash.
    expect((await loginRequest(user.email)).statusCode).toBe(401);
    expect((await loginRequest(user.email, 'Reset-Passw0rd')).statusCode).toBe(200);
  });
});
