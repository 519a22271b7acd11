/**
 * The audit actions, `<object>.<verb>` in the past tense (API.md Part 2). The OpenAPI description of
 * GET /admin/audit lists them from here. Callers written before the catalogue used present-tense
 * names (`user.create`); `canonicalAction` maps those at write time so every row carries the
 * catalogue's name whichever branch wrote it.
 */
export const AUDIT_ACTIONS: Record<string, string> = {
  'auth.registered': 'self-registration of a student',
  'auth.login': 'a successful sign-in',
  'auth.login_limited': 'sign-in refused after a burst of failures (per account or per address)',
  'auth.refresh_reused': 'an old refresh token was presented: the whole login session was revoked',
  'auth.password_changed': 'the user changed their password',
  'organization.created': 'organization created',
  'organization.updated': 'organization settings changed',
  'user.created': 'user created by an admin',
  'user.updated': 'user changed by an admin',
  'user.deactivated': 'user soft-deleted (deactivated)',
  'user.bulk_created': 'bulk import finished (counts in details)',
  'user.inactive_deactivated': 'users without a login for N days deactivated',
  'group.created': 'group created',
  'group.updated': 'group renamed or described',
  'group.deleted': 'group deleted',
  'group.members_added': 'members added to a group',
  'group.member_removed': 'member removed from a group',
  'session.created': 'attendance session created',
  'session.updated': 'attendance session changed',
  'session.cancelled': 'attendance session cancelled',
  'session.closed': 'attendance session closed (absentees recorded)',
  'series.created': 'session series created with its sessions (count in details)',
  'series.updated': 'session series changed: its unstarted sessions not edited on their own follow',
  'series.cancelled': 'session series cancelled: its unstarted sessions cancelled',
  'auth.calendar_token_created': 'a calendar feed token created (the previous one revoked)',
  'auth.calendar_token_revoked': 'the calendar feed token revoked',
  'record.force_checked_in': 'a teacher or admin checked a user in',
  'record.force_updated': 'force check-in on an existing record',
  'record.corrected': 'a record’s status or notes corrected',
  'review.accepted': 'a flagged record accepted',
  'review.rejected': 'a flagged record rejected (status absent)',
  'maintenance.sessions_cleaned': 'expired login sessions deleted',
  'webhook.created': 'webhook endpoint created',
  'webhook.updated': 'webhook endpoint changed',
  'webhook.deleted': 'webhook endpoint deleted',
  'webhook.secret_rotated': 'webhook signing secret rotated',
  'webhook.delivery_retried': 'a webhook delivery retried by hand',
  'warning_rule.created': 'warning rule created',
  'warning_rule.updated': 'warning rule changed',
  'warning_rule.deleted': 'warning rule deleted',
  'job.created': 'a background job (bulk import) started',
};

/** Names used by code written before the catalogue → the catalogue's name. */
const LEGACY: Record<string, string> = {
  'auth.register': 'auth.registered',
  'auth.refresh_reuse': 'auth.refresh_reused',
  'auth.change_password': 'auth.password_changed',
  'organization.create': 'organization.created',
  'organization.update': 'organization.updated',
  'user.create': 'user.created',
  'user.update': 'user.updated',
  'user.delete': 'user.deactivated',
  'user.bulk_create': 'user.bulk_created',
  'user.deactivate_inactive': 'user.inactive_deactivated',
  'group.create': 'group.created',
  'group.update': 'group.updated',
  'group.delete': 'group.deleted',
  'group.add_members': 'group.members_added',
  'group.remove_member': 'group.member_removed',
  'session.create': 'session.created',
  'session.update': 'session.updated',
  'session.cancel': 'session.cancelled',
  'session.close': 'session.closed',
  'attendance.force_check_in': 'record.force_checked_in',
  'attendance.force_update': 'record.force_updated',
  'attendance.correct': 'record.corrected',
  'attendance.review_accept': 'review.accepted',
  'attendance.review_reject': 'review.rejected',
  'maintenance.cleanup_sessions': 'maintenance.sessions_cleaned',
};

export const canonicalAction = (action: string): string => LEGACY[action] ?? action;

/** The catalogue as Markdown, for the OpenAPI description. */
export const auditActionsMarkdown = (): string =>
  Object.entries(AUDIT_ACTIONS)
    .map(([a, what]) => `- \`${a}\`: ${what}`)
    .join('\n');
