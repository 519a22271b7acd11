/**
 * The live feeds of this process. One channel per watched session holds its open streams and the
 * last event number it has sent; a notice that the session changed (from this process, a cluster
 * peer or Redis: live-fanout.ts) makes the channel read the stored events after that number once
 * and write each serialized event to every stream. Notices carry no data, so a lost, repeated or
 * reordered notice costs nothing: the database says what to send, in order, once (the numbers
 * follow commit order per session, live-events.repository.ts). One read per change per process,
 * whatever the number of listeners; the event text is built once and written to all.
 *
 * A stream's unsent bytes are bounded: a reader that stops reading is dropped once its buffer would
 * pass `maxBufferBytes` (its socket destroyed; it reconnects with Last-Event-ID and gets the rest).
 */
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { openStreams } from '../../lib/metrics.js';
import type { Actor } from '../../lib/tenancy.js';
import type { LiveService } from './live.service.js';
import { liveEventsRepository } from './live-events.repository.js';

/** Events read per query; a channel loops until it has caught up. */
const PAGE = 200;
/** A reconnect that missed more than this gets a snapshot instead (cheaper than the events). */
const MAX_REPLAY = 1000;

export const sseEvent = (event: string, data: unknown, id?: number) =>
  `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export class LiveStream {
  readonly body = new PassThrough();
  ready = false;
  closed = false;
  timers: NodeJS.Timeout[] = [];
  constructor(
    readonly hub: LiveHub,
    readonly actor: Actor,
    readonly sessionId: string,
    readonly raw: ServerResponse,
    readonly maxBufferBytes: number,
  ) {}

  /** Writes unless the reader is too far behind: then the stream is dropped (false). */
  write(chunk: string): boolean {
    if (this.closed) return false;
    if (this.held() + Buffer.byteLength(chunk) > this.maxBufferBytes) {
      this.hub.stats.dropped++;
      this.destroy();
      return false;
    }
    this.body.write(chunk);
    return true;
  }

  /** Unsent bytes: this stream's buffer and the response's (app.inject's fake response has none). */
  held(): number {
    return this.body.writableLength + (this.raw.writableLength ?? 0);
  }

  /** Ends the response after what is buffered (revocation, app close). */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.body.end();
    this.hub.forget(this);
  }

  /** Cuts the connection now (a stalled reader: its buffer is not waited for). */
  destroy(): void {
    this.closed = true;
    this.body.destroy();
    this.raw.destroy();
    this.hub.forget(this);
  }
}

interface Channel {
  sessionId: string;
  lastSeq: number;
  initialized: boolean;
  /** Streams receiving events (after their start). */
  streams: Set<LiveStream>;
  /** Streams registered here, started or not: the channel lives while there is one. */
  members: number;
  chain: Promise<void>;
  pullQueued: boolean;
}

export interface LiveHubOptions {
  db: Kysely<Database>;
  live: LiveService;
  heartbeatMs: number;
  /** How often every stream's caller is checked again (login session, user, access). */
  recheckMs: number;
  recheck: (stream: LiveStream) => Promise<boolean>;
  onError: (err: unknown) => void;
}

export class LiveHub {
  readonly channels = new Map<string, Channel>();
  readonly streams = new Set<LiveStream>();
  readonly perUser = new Map<string, number>();
  readonly stats = { dropped: 0 };
  private heartbeat: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private rechecking = false;

  constructor(private readonly opts: LiveHubOptions) {}

  start(): void {
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) if (s.ready) s.write(': heartbeat\n\n');
    }, this.opts.heartbeatMs);
    this.heartbeat.unref();
    this.recheckTimer = setInterval(() => void this.recheckAll(), this.opts.recheckMs);
    this.recheckTimer.unref();
  }

  /**
   * Ends every stream (app close). The connections are cut, not drained: a client reconnects
   * (to another process) with Last-Event-ID and loses nothing, while a drained end would leave the
   * shutdown waiting on the slowest reader.
   */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.recheckTimer);
    for (const s of [...this.streams]) s.destroy();
  }

  countOf(userId: string): number {
    return this.perUser.get(userId) ?? 0;
  }

  /** Registers a stream before its first byte (limits count it from here). */
  add(stream: LiveStream): void {
    this.streams.add(stream);
    this.perUser.set(stream.actor.userId, this.countOf(stream.actor.userId) + 1);
    openStreams.inc({ kind: 'live' });
    this.channel(stream.sessionId).members++;
    // Either side gone: the socket goes too (an SSE connection is never reused, and a half-closed
    // one left behind would hold a graceful shutdown).
    const gone = () => {
      stream.closed = true;
      if (!stream.raw.destroyed) stream.raw.destroy();
      this.forget(stream);
    };
    stream.body.once('close', gone);
    stream.raw.once('close', gone);
  }

  forget(stream: LiveStream): void {
    if (!this.streams.delete(stream)) return;
    for (const t of stream.timers) clearTimeout(t);
    const n = this.countOf(stream.actor.userId) - 1;
    if (n > 0) this.perUser.set(stream.actor.userId, n);
    else this.perUser.delete(stream.actor.userId);
    openStreams.dec({ kind: 'live' });
    const ch = this.channels.get(stream.sessionId);
    if (ch) {
      ch.streams.delete(stream);
      if (--ch.members <= 0) this.channels.delete(stream.sessionId);
    }
  }

  private channel(sessionId: string): Channel {
    let ch = this.channels.get(sessionId);
    if (!ch) {
      ch = {
        sessionId,
        lastSeq: 0,
        initialized: false,
        streams: new Set(),
        members: 0,
        chain: Promise.resolve(),
        pullQueued: false,
      };
      this.channels.set(sessionId, ch);
    }
    return ch;
  }

  private run(ch: Channel, task: () => Promise<void>): Promise<void> {
    ch.chain = ch.chain.then(task).catch(this.opts.onError);
    return ch.chain;
  }

  /**
   * Starts a stream: a replay of what came after `lastEventId` when that is possible, else a
   * snapshot; then it receives the channel's events. Runs in the channel's order, so nothing sent
   * to the others in between is lost or doubled for it.
   */
  open(stream: LiveStream, lastEventId: string | undefined): Promise<void> {
    const ch = this.channel(stream.sessionId);
    return this.run(ch, async () => {
      if (stream.closed) return;
      if (!ch.initialized) {
        ch.lastSeq = await liveEventsRepository.lastSeq(this.opts.db, ch.sessionId);
        ch.initialized = true;
      } else {
        await this.pull(ch);
      }
      const last = parseEventId(lastEventId);
      let replayed = false;
      if (last !== null && last <= ch.lastSeq && ch.lastSeq - last <= MAX_REPLAY) {
        const rows = await this.readRange(ch.sessionId, last, ch.lastSeq);
        // Still stored (old events are pruned): the first one after `last` must be there.
        if (rows !== null) {
          const bodies = await this.opts.live.bodies(ch.sessionId, rows);
          for (const b of bodies) stream.write(sseEvent(b.event, b.data, b.seq));
          replayed = true;
        }
      }
      if (!replayed) {
        const snap = await this.opts.live.snapshot(ch.sessionId);
        if (snap) stream.write(sseEvent('snapshot', snap, ch.lastSeq));
      }
      if (stream.closed) return;
      stream.ready = true;
      ch.streams.add(stream);
    });
  }

  /** Events (after, upTo], complete; null when some were pruned. */
  private async readRange(sessionId: string, after: number, upTo: number) {
    const out = [];
    let from = after;
    while (from < upTo) {
      const rows = await liveEventsRepository.after(this.opts.db, sessionId, from, PAGE);
      if (rows.length === 0 || rows[0]!.seq !== from + 1) return null;
      for (const r of rows) {
        if (r.seq > upTo) break;
        out.push(r);
      }
      from = rows[rows.length - 1]!.seq;
      if (rows.length < PAGE) break;
    }
    return out;
  }

  /** The session changed somewhere: the channel (if any) reads and sends what is new. */
  notify(sessionId: string): void {
    const ch = this.channels.get(sessionId);
    if (!ch || ch.pullQueued) return;
    ch.pullQueued = true;
    void this.run(ch, async () => {
      ch.pullQueued = false;
      if (ch.initialized) await this.pull(ch);
    });
  }

  private async pull(ch: Channel): Promise<void> {
    for (;;) {
      const rows = await liveEventsRepository.after(this.opts.db, ch.sessionId, ch.lastSeq, PAGE);
      if (rows.length === 0) return;
      const bodies = await this.opts.live.bodies(ch.sessionId, rows);
      const texts = bodies.map((b) => sseEvent(b.event, b.data, b.seq));
      for (const s of ch.streams) {
        if (!s.ready) continue;
        for (const t of texts) if (!s.write(t)) break;
      }
      ch.lastSeq = rows[rows.length - 1]!.seq;
      if (rows.length < PAGE) return;
    }
  }

  private async recheckAll(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      for (const s of [...this.streams]) {
        if (s.closed) continue;
        const ok = await this.opts.recheck(s).catch((err) => {
          this.opts.onError(err);
          return true; // a database hiccup does not end streams; the next round decides
        });
        if (!ok) s.end();
      }
    } finally {
      this.rechecking = false;
    }
  }
}

/** A Last-Event-ID we gave: a non-negative integer; anything else is unknown (→ snapshot). */
export function parseEventId(id: string | undefined): number | null {
  if (id === undefined || !/^\d{1,15}$/.test(id.trim())) return null;
  return Number(id.trim());
}
