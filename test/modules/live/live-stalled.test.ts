/**
 * A reader that stops reading (a real TCP socket, paused: the kernel's buffers fill, then the
 * server's) holds at most SSE_MAX_BUFFER_BYTES on the server and is dropped once its buffer has not
 * drained for the stall time; a reader beside it that keeps reading falls behind in the bursts,
 * catches up from the database, and gets every event, in order, once.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { liveEventsRepository } from '../../../src/modules/live/live-events.repository.js';
import { createTestApp, type TestContext } from '../../helpers/app.js';
import { openSse } from '../../helpers/sse.js';
import { bulkStudents, CENTRE, insertSession } from '../attendance/fixtures.js';

/** Four times the stream's own buffer (16 KB): its 'drain' wakes a reader that lagged. */
const MAX = 65_536;
let t: TestContext;
let port: number;

beforeAll(async () => {
  t = await createTestApp({ SSE_MAX_BUFFER_BYTES: String(MAX) }, { live: { stallMs: 1000 } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
});
afterAll(async () => t.close());

async function waitUntil(cond: () => boolean) {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
}

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

it('drops a reader that stops reading, holding at most SSE_MAX_BUFFER_BYTES for it; a slow reader catches up', async () => {
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
  const healthyCount = async () => Number(healthy.events.at(-1)?.id ?? 0);
  expect(hub.streams.size).toBe(2);
  const stalled = [...hub.streams].find((x) => x.actor.userId === w.users.admin.user_id)!;

  // A big record (2,000-character notes: ~2.7 KB per event) changed many times: the events are
  // stored straight into live_events in rounds of 1,000 (the kernel absorbs a few MB before the
  // server holds anything; going through PUT a thousand times would take long on a server engine),
  // then the hub is told, as after a commit.
  const notes = 'n'.repeat(2000);
  const fix = await t.app.inject({
    method: 'PUT',
    url: `/attendance/records/${rec.record_id}`,
    headers: w.auth.teacher,
    payload: { notes },
  });
  expect(fix.statusCode).toBe(200);
  let maxHeld = 0;
  let sent = 0;
  for (let round = 0; round < 20 && hub.stats.dropped === 0; round++) {
    const last = await liveEventsRepository.lastSeq(t.db, s.session_id);
    const rows = Array.from({ length: 1000 }, () => ({
      sessionId: s.session_id,
      kind: 'record' as const,
      refId: rec.record_id,
      state: 'changed',
    }));
    await liveEventsRepository.append(t.db, t.dialect, rows, Date.now());
    sent += rows.length;
    hub.notify(s.session_id);
    // Until the hub has sent them (or dropped the reader).
    for (let i = 0; i < 400 && (await healthyCount()) < last + rows.length; i++) {
      if (!stalled.closed) maxHeld = Math.max(maxHeld, stalled.held());
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  expect(hub.stats.dropped, `not dropped after ${sent} events`).toBe(1);
  expect(maxHeld).toBeLessThanOrEqual(MAX);
  expect(stalled.closed).toBe(true);
  expect(hub.streams.size).toBe(1);
  sock.destroy();

  // The reader that kept reading got every event, in order, once (it lagged in the bursts).
  await waitUntil(() => healthy.events.length >= sent + 2);
  const ids = healthy.events.slice(1).map((e) => Number(e.id));
  expect(ids).toHaveLength(sent + 1);
  expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
  expect(hub.stats.lagged).toBeGreaterThan(1);
  healthy.close();
});
