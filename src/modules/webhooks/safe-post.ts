/**
 * POST to a URL a tenant chose, without letting it reach inside our network (SSRF, OWASP API7):
 * the host is resolved here, every address it resolves to must be public (no loopback, private,
 * link-local / cloud metadata, CGNAT, unique-local, IPv4-mapped/NAT64, multicast or reserved), and the
 * socket connects to the address that was checked (a second resolution could answer differently:
 * DNS rebinding). No proxy (Node's http never reads *_PROXY), no redirects (never followed: a 3xx is
 * a failed delivery), one deadline for the whole exchange, at most 1 KB of the answer kept.
 */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

// Two lists: a BlockList holding ::ffff:0:0/96 would also match every IPv4 address checked as ipv4.
const blocked4 = new BlockList();
const blocked6 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked4.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blocked6.addSubnet(net, bits, 'ipv6');

export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? blocked4.check(address, 'ipv4') : blocked6.check(address, 'ipv6');
}

export interface PostResult {
  statusCode: number | null;
  durationMs: number;
  /** First 1 KB of the answer. */
  body: string | null;
  error: string | null;
}

export interface PostOptions {
  allowPrivate: boolean;
  timeoutMs?: number;
  headers: Record<string, string>;
  /** DNS resolution (tests give a fixed answer). */
  resolve?: Resolver;
}

const BODY_KEEP = 1024;

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;
const defaultResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Resolves and checks the host: every address it resolves to, all of them checked, or why not.
 * The socket may use any of them (Node tries them in turn when one does not answer: a host whose
 * IPv6 address is unreachable still gets its webhook over IPv4), and only those.
 */
export async function checkedAddress(
  host: string,
  allowPrivate: boolean,
  resolve: Resolver = defaultResolver,
): Promise<{ addresses: ResolvedAddress[] } | { refused: string }> {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  let addrs: { address: string; family: number }[];
  try {
    addrs = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await resolve(bare);
  } catch {
    return { refused: `cannot resolve ${host}` };
  }
  if (addrs.length === 0) return { refused: `cannot resolve ${host}` };
  if (!allowPrivate) {
    const bad = addrs.find((a) => isForbiddenAddress(a.address));
    if (bad) return { refused: `address ${bad.address} of ${host} is not public` };
  }
  return { addresses: addrs.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })) };
}

export async function safePost(url: string, body: string, opts: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const done = (r: Omit<PostResult, 'durationMs'>): PostResult => ({
    ...r,
    durationMs: Math.round(performance.now() - started),
  });
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return done({ statusCode: null, body: null, error: 'invalid URL' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return done({ statusCode: null, body: null, error: 'only http and https URLs' });
  const target = await checkedAddress(u.hostname, opts.allowPrivate, opts.resolve);
  if ('refused' in target) return done({ statusCode: null, body: null, error: target.refused });

  const timeoutMs = opts.timeoutMs ?? 5000;
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<PostResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(done(r));
    };
    const req = lib.request(
      u,
      {
        method: 'POST',
        agent: false,
        // Connect only to addresses that were checked; Host and TLS SNI still name the URL's host.
        // Node asks for `all` (autoSelectFamily, its default since 20) and then tries each in turn.
        lookup: (_h, o, cb) => {
          const [first] = target.addresses;
          if (o.all) (cb as unknown as (e: null, a: ResolvedAddress[]) => void)(null, target.addresses);
          else cb(null, first!.address, first!.family);
        },
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (c: Buffer) => {
          if (kept < BODY_KEEP) {
            chunks.push(c.subarray(0, BODY_KEEP - kept));
            kept += Math.min(c.length, BODY_KEEP - kept);
          }
        });
        const end = () => {
          req.destroy();
          finish({
            statusCode: res.statusCode ?? null,
            body: Buffer.concat(chunks).toString('utf8'),
            error: null,
          });
        };
        res.on('end', end);
        res.on('error', end);
        res.on('aborted', end);
      },
    );
    const deadline = setTimeout(() => {
      req.destroy();
      finish({ statusCode: null, body: null, error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    req.on('error', (err) => finish({ statusCode: null, body: null, error: err.message }));
    req.end(body);
  });
}
