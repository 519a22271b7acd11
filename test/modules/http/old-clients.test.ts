/**
 * Issue 16: clients written for the original service work unchanged. Each request carries the
 * headers a browser or an HTTP-client wrapper sends (Origin, Content-Type: application/json on every
 * request, a cache-buster in the query string).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestContext } from '../../helpers/app.js';

const ORIGIN = 'http://frontend.example.test:8080';
let t: TestContext;
let w: Awaited<ReturnType<TestContext['world']>>;

beforeAll(async () => {
  t = await createTestApp({ CORS_ORIGINS: `${ORIGIN},http://other.example.test` });
  w = await t.world();
});
afterAll(async () => t.close());

/** What a wrapper such as axios or a hand-written fetch helper sends on every request. */
const wrapper = (auth: Record<string, string> = {}) => ({
  ...auth,
  origin: ORIGIN,
  'content-type': 'application/json',
  accept: 'application/json',
});

describe('validation reports every wrong field at once, the password policy included (16.3)', () => {
  it('register with a blank name, a bad email and a weak password lists all three', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      headers: wrapper(),
      payload: { name: '', email: 'bad', password: 'x', org_id: w.org.org_id },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields.sort()).toEqual(['email', 'name', 'password']);
    expect(res.json().errors.find((e: { field: string }) => e.field === 'password').message).toMatch(
      /at least 8/,
    );
  });

  it('an admin creating a user gets the password policy beside the other fields', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: wrapper(w.auth.admin),
      payload: { name: 'Ok Name', email: 'nope', password: 'aaaaaaaaaaaa', role: 'student' },
    });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['email', 'password']);
  });

  it('change-password reports a weak new password in the first answer', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/change-password',
      headers: wrapper(w.auth.teacher),
      payload: { old_password: PASSWORD, new_password: 'short' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { field: 'new_password', message: expect.stringMatching(/at least/) },
    ]);
  });
});
