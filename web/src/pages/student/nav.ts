/** The student's menu: check in (home) and the calendar subscription. */
import type { NavItem } from '../../components/Layout';

export const STUDENT_NAV: NavItem[] = [
  { href: '/app/student', label: 'app.home' },
  { href: '/app/student/calendar', label: 'calendar.nav' },
];
