/** Check-ins fired at a real server process, for the crash tests. */
import { CENTRE } from '../../bench/lib/dataset.js';
import type { ServerProcess } from './server-process.js';

/**
 * Fires one check-in per student with `concurrency` in flight until `stop()` or the students run
 * out; `acknowledged` holds the record ids answered 2xx, `statuses` every answer (0: no answer).
 */
export function driveCheckIns(
  server: ServerProcess,
  students: readonly { token: string }[],
  sessionId: string,
  concurrency: number,
) {
  const acknowledged: string[] = [];
  const statuses: number[] = [];
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && next < students.length) {
      const s = students[next++]!;
      try {
        const res = await fetch(`${server.url}/attendance/check-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
          body: JSON.stringify({ session_id: sessionId, lat: CENTRE.lat, lon: CENTRE.lon, accuracy: 5 }),
        });
        statuses.push(res.status);
        if (res.ok) acknowledged.push((await res.json()).data.record_id);
      } catch {
        statuses.push(0); // connection refused or reset: not acknowledged
      }
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, worker));
  return { acknowledged, statuses, stop: () => (stopped = true), done };
}
