/** Routes by path and role. Role pages other than the student's load on demand (code split). */
import { useEffect } from 'preact/hooks';
import { api, unwrap } from './api/client';
import type { Role } from './api/types';
import { Loading } from './components/ui';
import { t } from './i18n';
import { auth, restoreSignIn } from './lib/auth';
import { zone } from './lib/format';
import { lazyPage } from './lib/lazy';
import { navigate, usePath } from './lib/router';
import { useStore } from './lib/store';
import { SignIn } from './pages/SignIn';
import { ScanPage } from './pages/student/ScanPage';
import { StudentHome } from './pages/student/StudentHome';

const TeacherPages = lazyPage<{ path: string; base: string }>(() =>
  import('./pages/teacher').then((m) => m.TeacherPages),
);
const StudentCalendar = lazyPage<object>(() =>
  import('./pages/student/Calendar').then((m) => m.StudentCalendar),
);
const AdminPages = lazyPage<{ path: string }>(() => import('./pages/admin').then((m) => m.AdminPages));
const SuperPages = lazyPage<{ path: string }>(() => import('./pages/super').then((m) => m.SuperPages));

export const HOME: Record<Role, string> = {
  student: '/app/student',
  teacher: '/app/teacher',
  admin: '/app/admin',
  super_admin: '/app/super',
};

export function App() {
  const state = useStore(auth);
  const path = usePath();
  // Times re-render in the organization's zone once it is known.
  useStore(zone);
  useEffect(() => {
    restoreSignIn();
  }, []);
  useEffect(() => {
    const u = state.user;
    if (u?.org_id && u.role !== 'student') {
      api
        .GET('/admin/organizations/{org_id}', { params: { path: { org_id: u.org_id } } })
        .then((r) => zone.set(unwrap(r).timezone))
        .catch(() => undefined);
    }
  }, [state.user]);

  // The scanned-QR page handles its own sign-in so the scan survives it.
  const scan = /^\/c\/([^/]+)\/?$/.exec(path);
  if (scan) return <ScanPage sessionId={decodeURIComponent(scan[1]!)} />;

  if (state.status === 'unknown')
    return (
      <main id="main" class="boot">
        <Loading />
      </main>
    );
  if (state.status === 'signed-out' || !state.user) {
    return (
      <SignIn onDone={(u) => (path === '/' || path === '/app' ? navigate(HOME[u.role], true) : undefined)} />
    );
  }
  const role = state.user.role;
  const home = HOME[role];
  if (path === '/' || path === '/app' || path === '/app/') {
    navigate(home, true);
    return null;
  }
  if (role === 'student' && path === '/app/student/calendar') return <StudentCalendar />;
  if (role === 'student' && path.startsWith('/app/student')) return <StudentHome />;
  if (role === 'teacher' && path.startsWith('/app/teacher'))
    return <TeacherPages path={path} base="/app/teacher" />;
  if (role === 'admin' && path.startsWith('/app/admin')) return <AdminPages path={path} />;
  if (role === 'super_admin' && path.startsWith('/app/super')) return <SuperPages path={path} />;
  if (path.startsWith('/app/')) {
    navigate(home, true);
    return null;
  }
  return (
    <main id="main">
      <p>{t('app.notFound')}</p>
    </main>
  );
}
