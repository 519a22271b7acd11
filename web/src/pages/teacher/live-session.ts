/**
 * A session as it happens, for the live room and the projector. The roster (every expected
 * attendee, with or without a record) comes from the detailed report; changes come from the live
 * feed (GET /attendance/session/{id}/live, SSE: snapshot / record / session events). Where the
 * server has no stream (404) the report is polled instead. Records returned by the teacher's own
 * actions are applied at once, so a button press never waits for the feed.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import type { AttendanceRecord, DetailedReport, Status } from '../../api/types';
import { type FeedState, openFeed, type SseEvent } from '../../lib/sse';

export const POLL_MS = 1500;
/** The stream's path from the generated schema: if the route moves, this stops compiling. */
const LIVE_PATH: keyof paths = '/attendance/session/{session_id}/live';

export interface LiveRow {
  user_id: string;
  name: string;
  email: string;
  record_id: string | null;
  status: Status | 'not_checked_in';
  check_in_time: string | null;
  distance_m: number | null;
  accuracy_m: number | null;
  flags: string[];
  review_state: string | null;
}

/** A record as the feed sends it: the record and its user. */
export type LiveRecord = AttendanceRecord & { user?: { user_id: string; name: string } };

interface Overlay {
  rec: LiveRecord;
  /** Local time it was applied: a report requested later already contains it. */
  at: number;
}

export interface LiveCounts {
  present: number;
  late: number;
  absent: number;
  excused: number;
  waiting: number;
  pending: number;
  expected: number;
  in: number;
}

export interface LiveSession {
  report?: DetailedReport;
  rows: LiveRow[];
  counts: LiveCounts;
  error?: unknown;
  /** 'polling' when the server has no stream; 'lost' when neither stream nor polling answers. */
  feed: FeedState | 'polling';
  updatedAt?: Date;
  closed: boolean;
  cancelled: boolean;
  fresh: Set<string>;
  apply: (r: LiveRecord) => void;
  reload: () => Promise<void>;
}

const STATUSES: readonly string[] = ['present', 'late', 'absent', 'excused'];

function merge(a: DetailedReport['attendees'][number], o: LiveRecord | undefined): LiveRow {
  const base: LiveRow = {
    user_id: a.user_id,
    name: a.name,
    email: a.email,
    record_id: a.record_id,
    status: STATUSES.includes(a.status) ? (a.status as Status) : 'not_checked_in',
    check_in_time: a.check_in_time,
    distance_m: a.distance_m,
    accuracy_m: null,
    flags: a.flags,
    review_state: a.review_state,
  };
  return o ? { ...base, ...fromRecord(o) } : base;
}

function fromRecord(r: LiveRecord): Omit<LiveRow, 'name' | 'email'> {
  return {
    user_id: r.user_id,
    record_id: r.record_id,
    status: r.status,
    check_in_time: r.check_in_time,
    distance_m: r.distance_m,
    accuracy_m: r.check_in_accuracy,
    flags: r.flags,
    review_state: r.review_state,
  };
}

export function countRows(rows: LiveRow[]): LiveCounts {
  const c: LiveCounts = {
    present: 0,
    late: 0,
    absent: 0,
    excused: 0,
    waiting: 0,
    pending: 0,
    expected: rows.length,
    in: 0,
  };
  for (const r of rows) {
    if (r.status === 'not_checked_in') c.waiting++;
    else c[r.status]++;
    if (r.review_state === 'pending') c.pending++;
  }
  c.in = c.present + c.late;
  return c;
}

export function useLiveSession(sessionId: string): LiveSession {
  const [report, setReport] = useState<DetailedReport>();
  const [error, setError] = useState<unknown>();
  const [overlay, setOverlay] = useState<Map<string, Overlay>>(() => new Map());
  const [feed, setFeed] = useState<FeedState | 'polling'>('connecting');
  const [updatedAt, setUpdatedAt] = useState<Date>();
  const [closedEvent, setClosedEvent] = useState<'closed' | 'cancelled'>();
  const [fresh, setFresh] = useState<Set<string>>(() => new Set());
  const names = useRef(new Map<string, string>());

  const reload = useCallback(async () => {
    const started = Date.now();
    try {
      const r = unwrap(
        await api.GET('/reports/session/{id}/detailed', { params: { path: { id: sessionId } } }),
      );
      setReport(r);
      setError(undefined);
      setUpdatedAt(new Date());
      // What was applied before this request started is in the report now.
      setOverlay((m) => {
        const next = new Map([...m].filter(([, o]) => o.at >= started));
        return next.size === m.size ? m : next;
      });
    } catch (err) {
      setError(err);
      throw err;
    }
  }, [sessionId]);

  const apply = useCallback((rec: LiveRecord) => {
    if (rec.user?.name) names.current.set(rec.user_id, rec.user.name);
    setOverlay((m) => {
      const old = m.get(rec.user_id)?.rec;
      if (old && old.updated_at > rec.updated_at) return m;
      const next = new Map(m);
      next.set(rec.user_id, { rec, at: Date.now() });
      return next;
    });
    setUpdatedAt(new Date());
  }, []);

  // The feed, or polling when the server has none.
  useEffect(() => {
    let poll: ReturnType<typeof setInterval> | undefined;
    const stopPolling = () => {
      clearInterval(poll);
      poll = undefined;
    };
    const startPolling = () => {
      if (poll) return;
      setFeed('polling');
      poll = setInterval(() => {
        if (document.visibilityState === 'hidden') return;
        reload().then(
          () => setFeed('polling'),
          () => setFeed('lost'),
        );
      }, POLL_MS);
    };
    const onEvent = (e: SseEvent) => {
      let body: unknown;
      try {
        body = JSON.parse(e.data);
      } catch {
        return;
      }
      if (e.event === 'snapshot') {
        const snap = body as { records?: LiveRecord[] };
        for (const r of snap.records ?? []) apply(r);
        reload().catch(() => undefined);
      } else if (e.event === 'record') apply(body as LiveRecord);
      else if (e.event === 'session') {
        const s = body as { state?: string };
        if (s.state === 'closed' || s.state === 'cancelled') setClosedEvent(s.state);
        reload().catch(() => undefined);
      }
    };
    reload().catch(() => undefined);
    const stop = openFeed(LIVE_PATH.replace('{session_id}', encodeURIComponent(sessionId)), {
      onEvent,
      onState: (s) => {
        if (s === 'unavailable') startPolling();
        else {
          if (s === 'live') stopPolling();
          if (!poll) setFeed(s);
        }
      },
    });
    return () => {
      stop();
      stopPolling();
    };
  }, [sessionId, reload, apply]);

  const rows = useMemo(() => {
    if (!report) return [];
    const seen = new Set<string>();
    const out = report.attendees.map((a) => {
      seen.add(a.user_id);
      return merge(a, overlay.get(a.user_id)?.rec);
    });
    // Someone with a record who is not on the roster (e.g. force check-in of a non-member).
    for (const [uid, o] of overlay) {
      if (seen.has(uid)) continue;
      out.push({ ...fromRecord(o.rec), name: names.current.get(uid) ?? uid, email: '' });
    }
    // By name, whatever their state: a row never moves when someone checks in.
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.user_id.localeCompare(b.user_id));
  }, [report, overlay]);

  // Rows whose status or review changed since the last render glow for a few seconds.
  const prev = useRef<Map<string, string> | undefined>(undefined);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  useEffect(() => () => timers.current.forEach(clearTimeout), []);
  useEffect(() => {
    const now = new Map(rows.map((r) => [r.user_id, `${r.status}|${r.review_state}`]));
    const before = prev.current;
    prev.current = now;
    if (!before?.size) return;
    const changed = rows.filter((r) => before.get(r.user_id) !== now.get(r.user_id)).map((r) => r.user_id);
    if (!changed.length) return;
    setFresh((s) => new Set([...s, ...changed]));
    const id = setTimeout(() => {
      timers.current.delete(id);
      setFresh((s) => new Set([...s].filter((u) => !changed.includes(u))));
    }, 4000);
    timers.current.add(id);
  }, [rows]);

  const counts = useMemo(() => countRows(rows), [rows]);
  return {
    report,
    rows,
    counts,
    error,
    feed,
    updatedAt,
    closed: Boolean(report?.session.closed) || closedEvent === 'closed',
    cancelled: closedEvent === 'cancelled',
    fresh,
    apply,
    reload,
  };
}
