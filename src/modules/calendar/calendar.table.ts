/** One calendar-feed token per user, kept only as its SHA-256 digest (hex). */
export interface CalendarTokensTable {
  token_hash: string;
  user_id: string;
  org_id: string | null;
  created_at: number;
}
