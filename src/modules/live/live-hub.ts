/**
 * The live feeds of this process. One channel per watched session holds its open streams and the
 * last event number it has sent; a notice that the session changed (from this process, a cluster
 * peer or Redis: live-fanout.ts) makes the channel read the stored events after that number once
 * and write each serialized event to every stream. Notices carry no data, so a lost, repeated or
 * reordered notice costs nothing: the database says what to send, in order, once (the numbers
 * follow commit order per session, live-events.repository.ts). One read per change per process,
 * whatever the number of listeners; the event text is built once and written to all.
 *
 * Memory per stream is bounded. A stream holds at most `maxBufferBytes` unsent (or one event, if a
 * single event is bigger: a large snapshot). A reader that falls behind (a burst: 500 absences at a
 * close) is not given more: it is marked lagging, remembers the last event it got, and catches up
 * from the database page by page as its buffer drains, in the channel's order. A reader whose
 * buffer does not drain at all for `stallMs` has stopped reading: it is dropped (socket cut); if it
 * comes back it reconnects with Last-Event-ID and misses nothing.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { openStreams } from '../../lib/metrics.js';
import type { Actor } from '../../lib/tenancy.js';
import type { LiveService } from './live.service.js';
import type { LiveEventRow } from './live.table.js';
import { liveEventsRepository } from './live-events.repository.js';
import type { StreamSlots } from './stream-slots.js';

/** Events read per query; a channel loops until it has caught up. */
const PAGE = 200;
/** A reconnect that missed more than this gets a snapshot instead (cheaper than the events). */
const MAX_REPLAY = 1000;
/** How long a snapshot may be given again to streams opening at the same event number. */
const SNAPSHOT_REUSE_MS = 5000;
/** How often a lagging stream's buffer is looked at. */
const LAG_POLL_MS = 50;

export const sseEvent = (event: string, data: unknown, id?: number) =>
  `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export class LiveStream {
  readonly id = randomUUID();
  readonly body = new PassThrough();
  /** Receives the channel's events (its start — snapshot or replay — is done). */
  ready = false;
  closed = false;
  /** Behind the channel: catching up from the database as its buffer drains. */
  lagging = false;
  /** The last event number this stream was given. */
  cursor = 0;
  /** Timers of a lagging stream's wait. */
  timers: NodeJS.Timeout[] = [];
  /** The next `code` event (?code=1). */
  codeTimer: NodeJS.Timeout | undefined;
  constructor(
    readonly hub: LiveHub,
    readonly actor: Actor,
    readonly sessionId: string,
    readonly raw: ServerResponse,
    readonly maxBufferBytes: number,
  ) {}

  /** Whether `bytes` more fit: within the bound, or anything into an empty buffer. */
  fits(bytes: number): boolean {
    const held = this.held();
    return held === 0 || held + bytes <= this.maxBufferBytes;
  }

  /** Writes if it fits, or `force`d (a snapshot); false otherwise, or when closed. */
  write(chunk: string | Buffer, force = false): boolean {
    if (this.closed || !(force || this.fits(Buffer.byteLength(chunk)))) return false;
    this.body.write(chunk);
    return true;
  }

  /** Unsent bytes: this stream's buffer and the response's (app.inject's fake response has none). */
  held(): number {
    return this.body.writableLength + (this.raw.writableLength ?? 0);
  }

  /** Ends the response after what is buffered (revocation). */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.body.end();
    this.hub.forget(this);
  }

  /** Cuts the connection now (a stalled reader, shutdown: its buffer is not waited for). */
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
  /**
   * The last snapshot sent, as bytes, while no event came after it (and for 5 s at most): a room of
   * 500 opening at once costs one snapshot query, and the buffers of their streams share one copy.
   */
  snapshot?: { seq: number; at: number; bytes: Buffer };
}

export interface LiveHubOptions {
  db: Kysely<Database>;
  live: LiveService;
  heartbeatMs: number;
  /** How often every stream's caller is checked again (login session, user, access). */
  recheckMs: number;
  recheck: (stream: LiveStream) => Promise<boolean>;
  /** A lagging stream whose buffer has not shrunk for this long is dropped. */
  stallMs: number;
  onError: (err: unknown) => void;
}

interface Sendable {
  seq: number;
  text: string;
}

export class LiveHub {
  readonly channels = new Map<string, Channel>();
  readonly streams = new Set<LiveStream>();
  readonly perUser = new Map<string, number>();
  readonly stats = { dropped: 0, lagged: 0 };
  /** Slots shared across processes (REDIS_URL), set when the fan-out starts. */
  slots: StreamSlots | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private rechecking = false;

  constructor(private readonly opts: LiveHubOptions) {}

  start(): void {
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) if (s.ready && !s.lagging) s.write(': heartbeat\n\n');
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

  /**
   * Whether the user may open one more stream: under SSE_MAX_PER_USER here and, with Redis, across
   * every process (a slot is taken; `add` must follow, `forget` gives it back). Redis down: the
   * process's own count decides.
   */
  async admit(stream: LiveStream, maxPerUser: number): Promise<boolean> {
    if (this.countOf(stream.actor.userId) >= maxPerUser) return false;
    if (!this.slots) return true;
    try {
      return await this.slots.take(stream.actor.userId, stream.id, maxPerUser);
    } catch (err) {
      this.opts.onError(err);
      return true;
    }
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
    clearTimeout(stream.codeTimer);
    this.slots?.release(stream.actor.userId, stream.id);
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

  /** Serialized events, in order, as the channel sends them. */
  private async texts(sessionId: string, rows: readonly LiveEventRow[]): Promise<Sendable[]> {
    const bodies = await this.opts.live.bodies(sessionId, rows);
    const out: Sendable[] = bodies.map((b) => ({ seq: b.seq, text: sseEvent(b.event, b.data, b.seq) }));
    // An event whose row is gone has no body: the number still counts as sent.
    const last = rows[rows.length - 1];
    if (last && out[out.length - 1]?.seq !== last.seq) out.push({ seq: last.seq, text: '' });
    return out;
  }

  /** Gives the stream events in order until one does not fit: then it lags. */
  private feed(ch: Channel, stream: LiveStream, events: readonly Sendable[]): void {
    for (const e of events) {
      if (e.seq <= stream.cursor) continue;
      if (e.text && !stream.write(e.text)) {
        if (!stream.closed) this.lag(ch, stream);
        return;
      }
      stream.cursor = e.seq;
    }
  }

  /** The stream fell behind: wait for its buffer to drain, then catch up; drop it if it never drains. */
  private lag(ch: Channel, stream: LiveStream): void {
    if (stream.lagging) return;
    stream.lagging = true;
    this.stats.lagged++;
    let lastHeld = stream.held();
    let since = Date.now();
    let done = false;
    // Woken by the stream's 'drain' (its buffer emptied) or, failing that, a poll.
    const check = () => {
      if (done || stream.closed) return;
      const held = stream.held();
      if (held < lastHeld) since = Date.now();
      lastHeld = held;
      if (held <= stream.maxBufferBytes / 2) {
        done = true;
        stream.body.off('drain', check);
        void this.run(ch, () => this.catchUp(ch, stream));
        return;
      }
      if (Date.now() - since >= this.opts.stallMs) {
        done = true;
        this.stats.dropped++;
        stream.destroy();
        return;
      }
      const t = setTimeout(check, LAG_POLL_MS);
      t.unref();
      stream.timers.push(t);
    };
    stream.body.on('drain', check);
    check();
  }

  /** In the channel's order: the events the stream missed, up to where the channel is. */
  private async catchUp(ch: Channel, stream: LiveStream): Promise<void> {
    for (const t of stream.timers) clearTimeout(t);
    stream.timers = [];
    stream.lagging = false;
    while (!stream.closed && stream.cursor < ch.lastSeq) {
      const rows = (await liveEventsRepository.after(this.opts.db, ch.sessionId, stream.cursor, PAGE)).filter(
        (r) => r.seq <= ch.lastSeq,
      );
      if (rows.length === 0) return;
      this.feed(ch, stream, await this.texts(ch.sessionId, rows));
      if (stream.lagging) return;
    }
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
      if (
        last !== null &&
        last <= ch.lastSeq &&
        ch.lastSeq - last <= MAX_REPLAY &&
        (await this.stored(ch, last))
      ) {
        stream.cursor = last;
        stream.ready = true;
        ch.streams.add(stream);
        await this.catchUp(ch, stream);
        return;
      }
      const now = Date.now();
      if (!ch.snapshot || ch.snapshot.seq !== ch.lastSeq || now - ch.snapshot.at > SNAPSHOT_REUSE_MS) {
        const snap = await this.opts.live.snapshot(ch.sessionId);
        ch.snapshot = snap
          ? { seq: ch.lastSeq, at: now, bytes: Buffer.from(sseEvent('snapshot', snap, ch.lastSeq)) }
          : undefined;
      }
      if (ch.snapshot) stream.write(ch.snapshot.bytes, true);
      stream.cursor = ch.lastSeq;
      if (stream.closed) return;
      stream.ready = true;
      ch.streams.add(stream);
    });
  }

  /** Whether the events after `after` are all still stored (old ones are pruned). */
  private async stored(ch: Channel, after: number): Promise<boolean> {
    if (after === ch.lastSeq) return true;
    const [first] = await liveEventsRepository.after(this.opts.db, ch.sessionId, after, 1);
    return first?.seq === after + 1;
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
      const events = await this.texts(ch.sessionId, rows);
      for (const s of ch.streams) if (s.ready && !s.lagging && !s.closed) this.feed(ch, s, events);
      ch.lastSeq = rows[rows.length - 1]!.seq;
      if (rows.length < PAGE) return;
    }
  }

  private async recheckAll(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      const open = [...this.streams].filter((s) => !s.closed);
      await this.slots
        ?.renew(open.map((s) => ({ userId: s.actor.userId, streamId: s.id })))
        .catch(this.opts.onError);
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
