/** Teacher pages (also the admin's session pages): my sessions, create, report. Loaded on demand. */

import { CalendarCard } from '../../components/CalendarCard';
import { Layout, type NavItem } from '../../components/Layout';
import type { MessageKey } from '../../i18n';
import { t } from '../../i18n';
import { CreateSeries } from './CreateSeries';
import { CreateSession } from './CreateSession';
import { LiveRoom } from './LiveRoom';
import { Projector } from './Projector';
import { reportPath } from './paths';
import { SessionList } from './SessionList';
import { SessionReport } from './SessionReport';

export function sessionPage(path: string, base: string) {
  if (path === `${base}/new`)
    return { title: 'teacher.createTitle' as MessageKey, body: <CreateSession base={base} /> };
  if (path === `${base}/new-series`)
    return { title: 'series.createTitle' as MessageKey, body: <CreateSeries base={base} /> };
  const pj = new RegExp(`^${reportPath(base, '([^/]+)')}/projector$`).exec(path);
  if (pj)
    return {
      title: 'projector.open' as MessageKey,
      body: <Projector sessionId={decodeURIComponent(pj[1]!)} />,
    };
  const lv = new RegExp(`^${reportPath(base, '([^/]+)')}/live$`).exec(path);
  if (lv) {
    const id = decodeURIComponent(lv[1]!);
    return {
      title: 'live.open' as MessageKey,
      body: <LiveRoom sessionId={id} reportHref={reportPath(base, encodeURIComponent(id))} />,
    };
  }
  const m = new RegExp(`^${reportPath(base, '([^/]+)')}$`).exec(path);
  if (m)
    return { title: undefined, body: <SessionReport base={base} sessionId={decodeURIComponent(m[1]!)} /> };
  return { title: 'teacher.title' as MessageKey, body: <SessionList base={base} /> };
}

export function TeacherPages({ path, base }: { path: string; base: string }) {
  const nav: NavItem[] = [
    { href: base, label: 'teacher.title' },
    { href: `${base}/new`, label: 'teacher.create' },
    { href: `${base}/new-series`, label: 'series.create' },
    { href: `${base}/calendar`, label: 'calendar.nav' },
  ];
  const page =
    path === `${base}/calendar`
      ? { title: 'calendar.nav' as MessageKey, body: <CalendarCard /> }
      : sessionPage(path, base);
  return (
    <Layout nav={nav} title={page.title ? t(page.title) : t('teacher.report')}>
      {page.body}
    </Layout>
  );
}
