/**
 * A reader that stops reading (a real TCP socket, paused: the kernel's buffers fill, then the
 * server's) is dropped once its unsent bytes would pass SSE_MAX_BUFFER_BYTES; what it holds never
 * grows past that bound, and a reader beside it that keeps reading gets every event.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { openSse } from '../../helpers/sse.js';
import { bulkStudents, CENTRE, insertSession } from '../attendance/fixtures.js';

const MAX = 8192;
let t: TestContext;
let port: number;

beforeAll(async () => {
  t = await createTestApp({ SSE_MAX_BUFFER_BYTES: String(MAX) });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
});
afterAll(async () => t.close());

function stalledReader(path: string, authorization: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port }, () => {
      sock.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\nAccept: text/event-stream\r\n\r\n`,
      );
      // Read the status line, then never again.
      sock.once('data', (chunk) => {
        sock.pause();
        expect(chunk.toString('latin1')).toMatch(/^HTTP\/1\.1 200/);
        resolve(sock);
      });
    });
    sock.on('error', () => {});
    sock.once('close', () => reject(new Error('closed before the headers')));
  });
}

it('drops a reader that stops reading, holding at most SSE_MAX_BUFFER_BYTES for it', async () => {
  const w = await t.world();
  const s = await insertSession(t, w.org.org_id, w.users.teacher.user_id);
  const [st] = await bulkStudents(t, w.org.org_id, 1);
  const rec = (
    await t.app.inject({
      method: 'POST',
      url: '/attendance/check-in',
      headers: st!.headers,
      payload: { session_id: s.session_id, lat: CENTRE.lat, lon: CENTRE.lon, accuracy: 10 },
    })
  ).json().data;
  const path = `/attendance/session/${s.session_id}/live`;
  const sock = await stalledReader(path, w.auth.admin.authorization);
  const healthy = await openSse(`http://127.0.0.1:${port}${path}`, w.auth.teacher);
  await healthy.next();
  const hub = t.app.liveHub;
  expect(hub.streams.size).toBe(2);
  const stalled = [...hub.streams].find((x) => x.actor.userId === w.users.admin.user_id)!;

  let maxHeld = 0;
  let sent = 0;
  const notes = 'n'.repeat(1900);
  // Each correction is one ~2.7 KB record event; the kernel absorbs a few MB before the server holds any.
  while (hub.stats.dropped === 0 && sent < 4000) {
    const res = await t.app.inject({
      method: 'PUT',
      url: `/attendance/records/${rec.record_id}`,
      headers: w.auth.teacher,
      payload: { notes: `${notes}${sent}` },
    });
    expect(res.statusCode).toBe(200);
    sent++;
    if (!stalled.closed) maxHeld = Math.max(maxHeld, stalled.held());
    if (sent % 20 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  expect(hub.stats.dropped, `not dropped after ${sent} events`).toBe(1);
  expect(maxHeld).toBeLessThanOrEqual(MAX);
  expect(stalled.closed).toBe(true);
  expect(hub.streams.size).toBe(1);
  sock.destroy();

  // The reader that kept reading got everything, the last correction included.
  let last: { notes: string } | undefined;
  while (!last || last.notes !== `${notes}${sent - 1}`) last = (await healthy.nextOf('record')).json();
  healthy.close();
});
