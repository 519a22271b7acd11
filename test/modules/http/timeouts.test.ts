/**
 * Slow clients cannot hold a connection: the configured timeouts close it while other requests
 * are served (a real listening server; app.inject has no sockets).
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../../helpers/app.js';

let t: TestContext;
let port: number;
beforeAll(async () => {
  t = await createTestApp({
    HTTP_HEADERS_TIMEOUT_MS: '2000',
    HTTP_REQUEST_TIMEOUT_MS: '4000',
    HTTP_KEEP_ALIVE_TIMEOUT_MS: '1500',
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as { port: number }).port;
});
afterAll(async () => t.close());

interface Trickle {
  socket: Socket;
  /** Resolves with the milliseconds from the first byte to the close, and what the server wrote. */
  closed: Promise<{ afterMs: number; received: string; bytesSent: number }>;
}

/** Opens a connection and sends `text` one byte per second (after `prefix`, sent at once). */
function trickle(prefix: string, text: string): Trickle {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let sent = 0;
  const started = Date.now();
  socket.on('data', (d) => (received += d));
  socket.on('error', () => {});
  const timer = setInterval(() => {
    if (sent < text.length && !socket.destroyed) socket.write(text[sent++]!);
  }, 1000);
  socket.write(prefix + text.slice(0, 1));
  sent = 1;
  const closed = new Promise<{ afterMs: number; received: string; bytesSent: number }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ afterMs: Date.now() - started, received, bytesSent: sent });
    }),
  );
  return { socket, closed };
}

/** Other clients meanwhile: a request every 250 ms, each timed. */
async function otherRequestsWhile(done: Promise<unknown>) {
  const latencies: number[] = [];
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    const t0 = Date.now();
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).toBe(200);
    latencies.push(Date.now() - t0);
    await new Promise((r) => setTimeout(r, 250));
  }
  return latencies;
}

describe('server timeouts', () => {
  it('a client sending one header byte per second is closed by HTTP_HEADERS_TIMEOUT_MS (408)', async () => {
    const slow = trickle(
      '',
      'GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n',
    );
    const [result, latencies] = await Promise.all([slow.closed, otherRequestsWhile(slow.closed)]);
    // 2 s limit, checked every second: closed after 2–3 s (4 s on a loaded machine), long before
    // the headers could end.
    expect(result.afterMs).toBeGreaterThanOrEqual(1900);
    expect(result.afterMs).toBeLessThan(5000);
    expect(result.bytesSent).toBeLessThan(5);
    expect(result.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(latencies.length).toBeGreaterThanOrEqual(5);
    // Served at once (well under the timeout the slow client is waiting out; a loaded CI box is slow).
    expect(Math.max(...latencies)).toBeLessThan(2000);
  }, 15_000);

  it('a client sending its body one byte per second is closed by HTTP_REQUEST_TIMEOUT_MS (408)', async () => {
    const headers =
      'POST /auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n';
    const slow = trickle(headers, `{"email":"a@b.c","password":"${'x'.repeat(40)}"}`);
    const [result, latencies] = await Promise.all([slow.closed, otherRequestsWhile(slow.closed)]);
    expect(result.afterMs).toBeGreaterThanOrEqual(3900);
    expect(result.afterMs).toBeLessThan(6500);
    expect(result.bytesSent).toBeLessThan(7);
    expect(result.received).toMatch(/^HTTP\/1\.1 408 /);
    // Served at once (well under the timeout the slow client is waiting out; a loaded CI box is slow).
    expect(Math.max(...latencies)).toBeLessThan(2000);
  }, 15_000);

  it('an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d));
    const t0 = Date.now();
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const closedAfter = await new Promise<number>((resolve) =>
      socket.on('close', () => resolve(Date.now() - t0)),
    );
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received.toLowerCase()).toContain('keep-alive: timeout=1');
    expect(closedAfter).toBeGreaterThanOrEqual(1400);
    expect(closedAfter).toBeLessThan(3500);
  }, 10_000);
});

describe('connection cap', () => {
  it('HTTP_MAX_CONNECTIONS: a connection beyond the cap is closed at once, the held ones still work', async () => {
    const capped = await createTestApp({ HTTP_MAX_CONNECTIONS: '2' });
    try {
      await capped.app.listen({ host: '127.0.0.1', port: 0 });
      const cport = (capped.app.server.address() as { port: number }).port;
      const open = () =>
        new Promise<Socket>((resolve) => {
          const s = connect(cport, '127.0.0.1', () => resolve(s));
          s.on('error', () => {});
        });
      const held = [await open(), await open()];
      const third = await open();
      const closedAfter = await new Promise<number>((resolve) => {
        const t0 = Date.now();
        third.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
        third.on('close', () => resolve(Date.now() - t0));
      });
      expect(closedAfter).toBeLessThan(1000);
      // A held connection is served.
      const answer = await new Promise<string>((resolve) => {
        let got = '';
        held[0]!.on('data', (d) => {
          got += d;
          if (got.includes('\r\n\r\n')) resolve(got);
        });
        held[0]!.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
      });
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      for (const s of held) s.destroy();
    } finally {
      await capped.close();
    }
  }, 15_000);
});
