import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkedAddress, isForbiddenAddress, safePost } from './safe-post.js';

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true], // cloud metadata
    ['100.64.0.1', true], // CGNAT
    ['100.127.255.255', true],
    ['100.128.0.1', false],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fd00:ec2::254', true], // unique-local (AWS metadata over IPv6)
    ['fc00::1', true],
    ['::ffff:127.0.0.1', true], // IPv4-mapped
    ['::ffff:8.8.8.8', true], // any mapped address is refused: the socket could reach v4 space
    ['64:ff9b::a00:1', true], // NAT64 of 10.0.0.1
    ['ff02::1', true],
    ['2606:4700:4700::1111', false],
    ['not-an-ip', true],
  ])('%s → %s', (ip, forbidden) => expect(isForbiddenAddress(ip)).toBe(forbidden));
});

describe('safePost', () => {
  it('refuses loopback names and literals unless private addresses are allowed', async () => {
    expect(await checkedAddress('localhost', false)).toMatchObject({
      refused: expect.stringContaining('not public'),
    });
    expect(await checkedAddress('[::1]', false)).toMatchObject({ refused: expect.any(String) });
    expect(await checkedAddress('127.0.0.1', true)).toEqual({
      addresses: [{ address: '127.0.0.1', family: 4 }],
    });
    const r = await safePost('http://127.0.0.1:9/x', '{}', { allowPrivate: false, headers: {} });
    expect(r).toMatchObject({ statusCode: null, error: expect.stringContaining('not public') });
  });

  it('gives up after the timeout and keeps at most 1 KB of an answer', async () => {
    const srv = createServer((req, res) => {
      if (req.url === '/slow') return; // never answers
      res.end('y'.repeat(10_000));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const slow = await safePost(`${base}/slow`, '{}', { allowPrivate: true, timeoutMs: 300, headers: {} });
      expect(slow.error).toContain('no answer within 300 ms');
      expect(slow.durationMs).toBeLessThan(2000);
      const big = await safePost(`${base}/big`, '{}', { allowPrivate: true, headers: {} });
      expect(big.statusCode).toBe(200);
      expect(big.body).toHaveLength(1024);
    } finally {
      srv.closeAllConnections();
      srv.close();
    }
  });

  it('refuses a name when any of its addresses is private, even if another is public', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    const r = await safePost('http://mixed.example/x', '{}', { allowPrivate: false, headers: {}, resolve });
    expect(r.error).toContain('10.0.0.7');
  });

  it('tries every checked address: an unreachable first one does not lose the delivery', async () => {
    const srv = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    // ::1 first: nothing listens there on this port (the server is bound to 127.0.0.1 only).
    const resolve = async () => [
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ];
    try {
      const r = await safePost(`http://two.example:${port}/x`, '{}', {
        allowPrivate: true,
        headers: {},
        resolve,
      });
      expect(r).toMatchObject({ statusCode: 200, body: 'ok', error: null });
    } finally {
      srv.close();
    }
  });

  it('refuses non-http schemes', async () => {
    expect((await safePost('file:///etc/passwd', '{}', { allowPrivate: true, headers: {} })).error).toContain(
      'http',
    );
  });
});
