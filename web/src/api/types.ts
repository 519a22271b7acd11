/** Types derived from the generated schema (never written by hand: the server's schemas are the source). */
import type { paths } from './schema';

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Ok<Op> = Op extends { responses: infer Rs }
  ? Rs extends { 200: infer R }
    ? Json<R>
    : Rs extends { 201: infer R }
      ? Json<R>
      : never
  : never;

/** The `data` of a route's success envelope: `Data<'/admin/users', 'get'>`. */
export type Data<P extends keyof paths, M extends keyof paths[P]> =
  Ok<paths[P][M]> extends { data: infer D } ? D : never;
/** The JSON body a route takes. */
export type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type User = Data<'/auth/profile', 'get'>;
export type Role = User['role'];
export type Session = Data<'/admin/sessions/{session_id}', 'get'>;
export type CodeMode = Session['code_mode'];
export type OpenSession = Data<'/attendance/active-sessions', 'get'>[number];
export type HistoryRow = Data<'/attendance/my-history', 'get'>[number];
export type AttendanceRecord = Data<'/attendance/check-in', 'post'>;
export type Organization = Data<'/admin/organizations/{org_id}', 'get'>;
export type Group = Data<'/admin/groups/{group_id}', 'get'>;
export type DetailedReport = Data<'/reports/session/{id}/detailed', 'get'>;
export type Dashboard = Data<'/admin/dashboard/stats', 'get'>;
export type Status = AttendanceRecord['status'];
