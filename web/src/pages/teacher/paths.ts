/** Where a session's report lives: /app/teacher/sessions/{id}, /app/admin/sessions/{id}. */
export const reportPath = (base: string, id: string): string =>
  base.endsWith('/sessions') ? `${base}/${id}` : `${base}/sessions/${id}`;
