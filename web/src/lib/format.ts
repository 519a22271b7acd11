/** Dates and numbers through Intl, in the organization's (or session's) time zone — never the server's. */
import { store } from './store';

/** The zone pages show times in: the org's for staff, the sessions' for students. */
export const zone = store<string | undefined>(undefined);

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(opts: Intl.DateTimeFormatOptions, tz?: string): Intl.DateTimeFormat {
  const timeZone = tz ?? zone.get();
  const key = JSON.stringify([opts, timeZone]);
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(undefined, { ...opts, timeZone });
    } catch {
      f = new Intl.DateTimeFormat(undefined, opts);
    }
    cache.set(key, f);
  }
  return f;
}

export const dateTime = (iso: string | null | undefined, tz?: string): string =>
  iso ? fmt({ dateStyle: 'medium', timeStyle: 'short' }, tz).format(new Date(iso)) : '—';
export const time = (iso: string | Date | null | undefined, tz?: string): string =>
  iso ? fmt({ timeStyle: 'short' }, tz).format(new Date(iso)) : '—';
export const timeSeconds = (d: Date, tz?: string): string => fmt({ timeStyle: 'medium' }, tz).format(d);
export const day = (iso: string, tz?: string): string =>
  fmt({ weekday: 'short', day: 'numeric', month: 'short' }, tz).format(new Date(iso));
/** YYYY-MM-DD of an instant in a zone (for grouping by day). */
export const dayKey = (d: Date, tz?: string): string =>
  fmt({ year: 'numeric', month: '2-digit', day: '2-digit' }, tz)
    .formatToParts(d)
    .filter((p) => p.type !== 'literal')
    .map((p) => p.value)
    .join('-');
export const percent = (r: number | null | undefined): string =>
  r === null || r === undefined ? '—' : new Intl.NumberFormat(undefined, { style: 'percent' }).format(r);
export const metres = (m: number): string => String(Math.round(m));

/** Wall-clock `YYYY-MM-DDTHH:MM` of an instant in a zone, for <input type="datetime-local">. */
export function localInput(d: Date, tz?: string): string {
  const parts = Object.fromEntries(
    fmt(
      {
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      },
      tz,
    )
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
