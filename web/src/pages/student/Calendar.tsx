/** The student's calendar subscription page (loaded on demand: the check-in page stays small). */
import { CalendarCard } from '../../components/CalendarCard';
import { Layout } from '../../components/Layout';
import { t } from '../../i18n';
import { STUDENT_NAV } from './nav';

export function StudentCalendar() {
  return (
    <Layout nav={STUDENT_NAV} title={t('calendar.nav')}>
      <CalendarCard />
    </Layout>
  );
}
