/** The admin console: dashboard, users, import, groups, organization settings, sessions. */
import { Layout, type NavItem } from '../../components/Layout';
import { type MessageKey, t } from '../../i18n';
import { sessionPage } from '../teacher';
import { Audit } from './Audit';
import { Dashboard } from './Dashboard';
import { Groups } from './Groups';
import { Import } from './Import';
import { OrgSettings } from './OrgSettings';
import { Users } from './Users';
import { WarningRules } from './WarningRules';
import { Webhooks } from './Webhooks';

const BASE = '/app/admin';
const NAV: NavItem[] = [
  { href: BASE, label: 'admin.title' },
  { href: `${BASE}/sessions`, label: 'admin.sessions' },
  { href: `${BASE}/sessions/new-series`, label: 'series.create' },
  { href: `${BASE}/users`, label: 'admin.users' },
  { href: `${BASE}/import`, label: 'admin.import' },
  { href: `${BASE}/groups`, label: 'admin.groups' },
  { href: `${BASE}/settings`, label: 'admin.settings' },
  { href: `${BASE}/warnings`, label: 'admin.rules' },
  { href: `${BASE}/webhooks`, label: 'admin.webhooks' },
  { href: `${BASE}/audit`, label: 'admin.audit' },
];

export function AdminPages({ path }: { path: string }) {
  let title: MessageKey | undefined = 'admin.title';
  let body = <Dashboard />;
  if (path.startsWith(`${BASE}/sessions`)) {
    const p = sessionPage(path, `${BASE}/sessions`);
    title = p.title;
    body = p.body;
  } else if (path === `${BASE}/users`) [title, body] = ['admin.users', <Users />];
  else if (path === `${BASE}/import`) [title, body] = ['admin.import', <Import />];
  else if (path === `${BASE}/groups`) [title, body] = ['admin.groups', <Groups />];
  else if (path === `${BASE}/settings`) [title, body] = ['admin.settings', <OrgSettings />];
  else if (path === `${BASE}/warnings`) [title, body] = ['admin.rules', <WarningRules />];
  else if (path === `${BASE}/webhooks`) [title, body] = ['admin.webhooks', <Webhooks />];
  else if (path === `${BASE}/audit`) [title, body] = ['admin.audit', <Audit />];
  return (
    <Layout nav={NAV} title={title ? t(title) : t('teacher.report')}>
      {body}
    </Layout>
  );
}
