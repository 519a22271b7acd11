/** The HTTP layer: every bad input gets the envelope with a 4xx, never a 500. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';

let t: TestContext;
let admin: Record<string, string>;
let orgId: string;
beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT_BYTES: '65536' });
  const w = await t.world();
  admin = w.auth.admin;
  orgId = w.org.org_id;
});
afterAll(async () => t.close());

function expectEnvelope(
  res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json; charset=utf-8/);
  const body = res.json() as Record<string, unknown>;
  expect(body.success).toBe(false);
  expect(body.error_code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|SQLITE|select |insert into/i);
}

describe('malformed requests', () => {
  const login = (payload: string, contentType = 'application/json') =>
    t.app.inject({ method: 'POST', url: '/auth/login', payload, headers: { 'content-type': contentType } });

  it.each([
    ['truncated JSON', '{"email": "a@b.c", "password": '],
    ['a bare string', '"hello"'],
    ['an array', '[1,2,3]'],
    ['null', 'null'],
    ['trailing comma', '{"email":"a@b.c","password":"x",}'],
    ['prototype pollution', '{"__proto__":{"admin":true},"email":"a@b.c","password":"x"}'],
    ['constructor pollution', '{"constructor":{"prototype":{"x":1}},"email":"a@b.c","password":"x"}'],
  ])('%s → 400 VALIDATION_ERROR', async (_name, payload) => {
    expectEnvelope(await login(payload), 400, 'VALIDATION_ERROR');
  });

  it('an empty JSON body → 400', async () => {
    expectEnvelope(await login(''), 400, 'VALIDATION_ERROR');
  });

  it.each([
    'text/plain',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
  ])('content type %s → 415 UNSUPPORTED_MEDIA_TYPE', async (ct) => {
    expectEnvelope(await login('email=a&password=b', ct), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a body over the limit → 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(70_000) });
    expectEnvelope(await login(big), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('wrong types, overlong strings and non-finite numbers → 400 naming each field', async () => {
    const reg = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: `{"name": ${'1e999'}, "email": "${'a'.repeat(300)}@x.io", "password": ["x"], "org_id": "${orgId}"}`,
    });
    expectEnvelope(reg, 400, 'VALIDATION_ERROR');
    const fields = (reg.json() as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'email', 'password']));
  });

  it('deeply nested junk is refused, not crashed on', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const res = await login(`{"email": ${deep}, "password": "x"}`);
    expect(res.statusCode).toBe(400);
  });

  it('a bad UUID in a path → 400, an unknown route → 404 envelope', async () => {
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/auth/sessions/%27%20OR%201=1--',
      headers: admin,
    });
    expectEnvelope(res, 400, 'VALIDATION_ERROR');
    expectEnvelope(await t.app.inject({ method: 'GET', url: '/nope/<script>' }), 404, 'NOT_FOUND');
  });
});

describe('SQL- and script-looking strings are data', () => {
  it('stores and returns them verbatim as JSON', async () => {
    const w = await t.world();
    const name = `Robert'); DROP TABLE users;-- <script>alert(1)</script>`;
    const res = await t.app.inject({
      method: 'PUT',
      url: '/auth/profile',
      headers: w.auth.student,
      payload: { name },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json().data.name).toBe(name);
    const row = await t.db
      .selectFrom('users')
      .select('name')
      .where('user_id', '=', w.users.student.user_id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe(name);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/auth/login',
          payload: { email: "' OR '1'='1", password: "' OR '1'='1" },
        })
      ).statusCode,
    ).toBe(401);
  });
});

describe('request ids, headers, CORS', () => {
  it('echoes a sane X-Request-Id and replaces an insane one', async () => {
    const a = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(a.headers['x-request-id']).toBe('abc-123');
    const b = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'bad id\u0000<>' },
    });
    expect(b.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const c = await t.app.inject({ method: 'GET', url: '/nope' });
    expect(c.headers['x-request-id']).toBeTruthy();
  });

  it('sends security headers and allows only configured origins', async () => {
    const ok = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'http://localhost:3000' },
    });
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const evil = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://evil.example' },
    });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('health and docs', () => {
  it('GET /health reports the database', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('GET /openapi.json is OpenAPI 3.1 and documents every route with its responses', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/auth/login', '/auth/register', '/health']),
    );
    for (const [path, ops] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(
      doc.paths,
    )) {
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses ?? {}), `${method} ${path}`).not.toHaveLength(0);
      }
    }
    expect((await t.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(200);
  });
});
