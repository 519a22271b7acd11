/**
 * The request log at the production level (info): one line per response with its request id, and
 * no secret — a token or password in a header, a body or a query string — ever reaches it, on
 * answered, refused and failed requests alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../../src/plugins/request-log.js';
import { createTestApp, PASSWORD } from '../../helpers/app.js';

let lines: string[] = [];
const stream = { write: (line: string) => void lines.push(line) };
let t: Awaited<ReturnType<typeof createTestApp>>;

beforeAll(async () => {
  t = await createTestApp({ LOG_LEVEL: 'info' }, { logStream: stream });
});
afterAll(() => t.close());

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('request log', () => {
  it('writes one line per response with the request id, method, path and status', async () => {
    const { auth } = await t.world();
    lines = [];
    const res = await t.app.inject({
      method: 'GET',
      url: '/auth/profile',
      headers: { ...auth.student, 'x-request-id': 'trace-abc-123' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
    const entries = parsed();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 30,
      reqId: 'trace-abc-123',
      method: 'GET',
      url: '/auth/profile',
      status: 200,
      msg: 'request',
    });
    expect(typeof entries[0]!.ms).toBe('number');
  });

  it('never logs a token or password sent in a header, a body or a query string', async () => {
    const { users } = await t.world();
    const session = await t.login(users.student);
    lines = [];
    const secrets = [session.token, session.refresh, PASSWORD, 'Wr0ng-Passw0rd-xyz'];
    const requests = [
      // Answered: the access token in the header, the refresh token in a body.
      { method: 'GET', url: '/auth/profile', headers: { authorization: `Bearer ${session.token}` } },
      { method: 'POST', url: '/auth/login', payload: { email: users.teacher.email, password: PASSWORD } },
      { method: 'POST', url: '/auth/refresh', payload: { refresh_token: session.refresh } },
      // Refused: a wrong password, a token in the query string, a malformed body around a token.
      { method: 'POST', url: '/auth/login', payload: { email: users.teacher.email, password: secrets[3] } },
      { method: 'GET', url: `/auth/profile?token=${session.token}&password=${PASSWORD}` },
      {
        method: 'POST',
        url: '/auth/refresh',
        headers: { 'content-type': 'application/json', cookie: `refresh=${session.refresh}` },
        payload: `{"refresh_token": "${session.refresh}"`,
      },
      { method: 'GET', url: '/auth/profile', headers: { authorization: `Bearer ${session.token}x` } },
    ] as const;
    const statuses = [];
    for (const r of requests) statuses.push((await t.app.inject(r as never)).statusCode);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3).every((s) => s >= 400 && s < 500)).toBe(true);

    const log = lines.join('');
    expect(parsed().filter((e) => e.msg === 'request')).toHaveLength(requests.length);
    for (const s of secrets) expect(log).not.toContain(s);
    expect(log).not.toContain('token=');
    // The refused ones are logged with their status, so an operator still sees them.
    expect(parsed().filter((e) => e.msg === 'request' && e.status === 401).length).toBeGreaterThan(0);
  });

  it('logs an error by name, message, code and stack only, never its other properties', () => {
    const serializers = loggerOptions('info').serializers as { err: (e: unknown) => object };
    const err = Object.assign(new Error('duplicate key'), {
      code: '23505',
      sql: "insert into users (password_hash) values ('s3cret-hash')",
      parameters: ['Bearer abc.def.ghi'],
    });
    const out = JSON.stringify(serializers.err(err));
    expect(JSON.parse(out)).toMatchObject({ type: 'Error', message: 'duplicate key', code: '23505' });
    expect(out).not.toContain('s3cret-hash');
    expect(out).not.toContain('abc.def.ghi');
  });
});
