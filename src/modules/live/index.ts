/**
 * The live feed module (API.md Part 2 "Live feed"). Wiring:
 *   - changes.onWrite: every record/session change is numbered and stored (live_events) in the
 *     transaction of the change — registered after the outbox, so the counter row is the last lock;
 *   - changes.onCommitted: after the commit, a notice goes to every process (live-fanout.ts), never
 *     before: a listener cannot see a change that is later rolled back;
 *   - the hub (live-hub.ts) sends each process's streams what is new; the routes open streams.
 */
import type { App } from '../../lib/http.js';
import type { JobDefinition } from '../../lib/jobs.js';
import { createCodesService } from '../attendance/codes.service.js';
import type { ModuleDeps } from '../deps.js';
import { liveRoutes } from './live.routes.js';
import { createLiveService } from './live.service.js';
import { liveEventsRepository, type NewLiveEvent } from './live-events.repository.js';
import { createLiveFanout, type LiveFanout } from './live-fanout.js';
import { LiveHub } from './live-hub.js';

/** Stored events older than this are pruned: a reconnect that late gets a snapshot. */
const KEEP_MS = 2 * 86_400_000;

export interface LiveOptions {
  /** How often open streams re-check their caller (default 10 s: a revoked stream ends within 30 s). */
  recheckMs?: number;
  /** A reader whose buffer has not drained for this long is dropped (default: one heartbeat). */
  stallMs?: number;
}

export async function registerLiveModule(app: App, deps: ModuleDeps, opts: LiveOptions = {}) {
  const { db, dialect, config, changes } = deps;
  const answers = new Map<string, { at: number; ok: Promise<boolean> }>();
  const memo = (key: string, check: () => Promise<boolean>): Promise<boolean> => {
    const now = Date.now();
    const hit = answers.get(key);
    if (hit && now - hit.at < 2000) return hit.ok;
    if (answers.size > 10_000) answers.clear();
    const ok = check();
    answers.set(key, { at: now, ok });
    ok.catch(() => answers.delete(key));
    return ok;
  };
  const live = createLiveService({ db });
  const codes = createCodesService(deps);

  changes.onWrite(async (trx, events) => {
    const rows: NewLiveEvent[] = [];
    for (const e of events) {
      if (e.type === 'record')
        rows.push({ sessionId: e.sessionId, kind: 'record', refId: e.recordId, state: e.kind });
      else if (e.type === 'session')
        rows.push({ sessionId: e.sessionId, kind: 'session', refId: e.sessionId, state: e.state });
    }
    if (rows.length) await liveEventsRepository.append(trx, dialect, rows, Date.now());
  });

  const hub = new LiveHub({
    db,
    live,
    heartbeatMs: config.live.heartbeatSeconds * 1000,
    recheckMs: opts.recheckMs ?? 10_000,
    stallMs: opts.stallMs ?? config.live.heartbeatSeconds * 1000,
    // 500 streams of one teacher in one room are one login and one session: within a sweep each
    // is looked up once (a 2 s memo), not once per stream.
    recheck: (stream) =>
      memo(`${stream.actor.sessionId}|${stream.actor.userId}|${stream.sessionId}`, async () => {
        const actor = await app.actorOf(stream.actor.sessionId, stream.actor.userId);
        return actor !== null && (await live.stillAllowed(actor, stream.sessionId));
      }),
    onError: (err) => app.log.error({ err }, 'live feed failed'),
  });
  app.decorate('liveHub', hub);

  let fanout: LiveFanout | undefined;
  changes.onCommitted((events) => {
    const sessions = new Set<string>();
    for (const e of events) if (e.type === 'record' || e.type === 'session') sessions.add(e.sessionId);
    if (sessions.size === 0) return;
    if (fanout) fanout.publish([...sessions]);
    else for (const s of sessions) hub.notify(s);
  });
  app.addHook('onReady', async () => {
    fanout = await createLiveFanout({
      redisUrl: config.redisUrl,
      channel: config.live.redisChannel,
      deliver: (s) => hub.notify(s),
      onError: (err) => app.log.error({ err }, 'live fan-out failed'),
    });
    hub.slots = fanout.slots;
    hub.start();
  });
  // Before the server stops accepting: open streams would keep server.close() waiting for ever.
  app.addHook('preClose', async () => {
    await hub.stop();
  });
  app.addHook('onClose', async () => {
    await fanout?.close();
  });

  deps.jobs.register(pruneLiveEventsJob(deps));

  await app.register(liveRoutes, {
    live,
    hub,
    secretKey: config.secretKey,
    maxPerUser: config.live.maxPerUser,
    maxPerProcess: config.live.maxPerProcess,
    maxBufferBytes: config.live.maxBufferBytes,
    code: (actor, sessionId) => codes.show(actor, sessionId),
  });
}

function pruneLiveEventsJob(deps: ModuleDeps): JobDefinition {
  return {
    name: 'prune-live-events',
    intervalMs: 60 * 60_000,
    async run(ctx) {
      return { live_events_deleted: await liveEventsRepository.prune(deps.db, ctx.now() - KEEP_MS) };
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's live feeds (tests and the bench read `streams`). */
    liveHub: LiveHub;
  }
}
