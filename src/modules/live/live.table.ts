import type { Selectable } from 'kysely';

/** The last event number given in a session (migration 0011). */
export interface LiveSessionSeqTable {
  session_id: string;
  seq: number;
}

export type LiveEventKind = 'record' | 'session';

/** One stored event of a session's live feed: what it is about, not its body (read fresh at send time). */
export interface LiveEventsTable {
  session_id: string;
  seq: number;
  kind: LiveEventKind;
  ref_id: string;
  state: string;
  created_at: number;
}
export type LiveEventRow = Selectable<LiveEventsTable>;
