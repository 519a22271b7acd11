/** The teacher's actions on a session, as dialog requests: mark present/excused with a note, review, close. */
import { api, unwrap } from '../../api/client';
import type { AttendanceRecord } from '../../api/types';
import type { ConfirmRequest } from '../../components/Dialog';
import { t } from '../../i18n';

export type Marked = 'present' | 'excused';

/** Present or excused with an optional note: corrects the record, or force-checks-in when there is none. */
export function markRequest(
  who: { user_id: string; name: string; record_id: string | null },
  status: Marked,
  sessionId: string,
  done: (r: AttendanceRecord, message: string) => void,
): ConfirmRequest {
  return {
    title: t(status === 'present' ? 'live.markPresentTitle' : 'live.markExcusedTitle', { name: who.name }),
    confirm: t(status === 'present' ? 'teacher.markPresent' : 'teacher.markExcused'),
    noteLabel: t('teacher.note'),
    async onConfirm(note) {
      const notes = note ? { notes: note } : {};
      const r = who.record_id
        ? unwrap(
            await api.PUT('/attendance/records/{record_id}', {
              params: { path: { record_id: who.record_id } },
              body: { status, ...notes },
            }),
          )
        : unwrap(
            await api.POST('/attendance/force-check-in', {
              body: { session_id: sessionId, user_id: who.user_id, status, ...notes },
            }),
          );
      done(r as AttendanceRecord, t('teacher.marked', { name: who.name, status: t(`status.${status}`) }));
    },
  };
}

export function reviewRequest(
  who: { name: string; record_id: string },
  decision: 'accept' | 'reject',
  done: (r: AttendanceRecord, message: string) => void,
): ConfirmRequest {
  return {
    title: t(decision === 'accept' ? 'live.acceptTitle' : 'live.rejectTitle', { name: who.name }),
    body: <p>{t(decision === 'accept' ? 'live.acceptBody' : 'live.rejectBody')}</p>,
    confirm: t(decision === 'accept' ? 'live.accept' : 'live.reject'),
    danger: decision === 'reject',
    noteLabel: t('teacher.note'),
    async onConfirm(note) {
      const r = unwrap(
        await api.POST('/attendance/records/{record_id}/review', {
          params: { path: { record_id: who.record_id } },
          body: { decision, ...(note ? { notes: note } : {}) },
        }),
      );
      done(
        r as AttendanceRecord,
        t(decision === 'accept' ? 'live.accepted' : 'live.rejected', { name: who.name }),
      );
    },
  };
}

export function closeRequest(sessionId: string, done: () => void): ConfirmRequest {
  return {
    title: t('teacher.closeSession'),
    body: <p>{t('teacher.confirmClose')}</p>,
    confirm: t('live.closeConfirm'),
    danger: true,
    async onConfirm() {
      unwrap(
        await api.POST('/admin/sessions/{session_id}/close', { params: { path: { session_id: sessionId } } }),
      );
      done();
    },
  };
}
