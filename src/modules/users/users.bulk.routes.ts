import Type from 'typebox';
import { errorResponses, ok, success } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { BulkImportService } from './users.bulk.js';
import {
  BulkCsvBody,
  BulkQuery,
  BulkResultSchema,
  type BulkUsersJson,
  BulkUsersJsonBody,
  DeactivateInactiveBody,
  DeactivateInactiveResultSchema,
} from './users.schemas.js';
import type { UsersService } from './users.service.js';

const tags = ['users'];
const writers = ['super_admin', 'admin'] as const;
/** 10,000 CSV rows with passwords are about 0.7 MB; JSON about 1.2 MB. */
const BULK_BODY_LIMIT = 5 * 1024 * 1024;

export async function usersBulkRoutes(
  app: App,
  opts: { users: UsersService; bulk: BulkImportService; jobs: JobsService; bodyLimit: number },
) {
  const { users, bulk, jobs } = opts;
  app.post(
    '/users/bulk',
    {
      onRequest: app.auth(...writers),
      bodyLimit: Math.max(BULK_BODY_LIMIT, opts.bodyLimit),
      schema: {
        tags,
        summary: 'Create up to 10,000 users from JSON rows or a text/csv body',
        description:
          'CSV header: name,email[,role][,password] in any order. Role defaults to student; a missing ' +
          'password is generated and returned once in that row. Each row succeeds or fails alone; the ' +
          'answer is 200 with a result per row. super_admin names the organization with org_id. With the ' +
          'header `Prefer: respond-async` the import runs as a job: 202 {job_id}, then GET /admin/jobs/{job_id}.',
        security: bearer,
        querystring: BulkQuery,
        body: {
          content: {
            'application/json': { schema: BulkUsersJsonBody },
            'text/csv': { schema: BulkCsvBody },
          },
        },
        response: {
          200: ok(BulkResultSchema),
          202: ok(Type.Object({ job_id: Type.String() })),
          ...errorResponses(400, 401, 403, 404, 413, 415),
        },
      },
    },
    async (req, reply) => {
      const body = req.body as string | BulkUsersJson;
      if (/\brespond-async\b/i.test(String(req.headers.prefer ?? ''))) {
        const orgId = await bulk.orgFor(req.actor, body, req.query.org_id);
        const jobId = await jobs.start(req.actor, orgId, 'users.bulk_import', 0, (progress) =>
          bulk.importUsers(req.actor, body, req.query.org_id, req.ip, progress),
        );
        return reply
          .status(202)
          .header('preference-applied', 'respond-async')
          .send(success('Import started', { job_id: jobId }));
      }
      const result = await bulk.importUsers(req.actor, body, req.query.org_id, req.ip);
      return success(`${result.created} users created, ${result.failed} failed`, result);
    },
  );

  app.post(
    '/users/deactivate-inactive',
    {
      onRequest: app.auth(...writers),
      schema: {
        tags,
        summary: 'Deactivate users with no login for inactive_days (never super_admins, never the caller)',
        description:
          'Never-logged-in users count from their creation. Admin: their organization; super_admin: ' +
          'org_id, or every organization when it is omitted. Sessions of those users are revoked.',
        security: bearer,
        body: DeactivateInactiveBody,
        response: { 200: ok(DeactivateInactiveResultSchema), ...errorResponses(400, 401, 403, 404, 415) },
      },
    },
    async (req) => {
      const result = await users.deactivateInactive(req.actor, req.body, req.ip);
      return success(`${result.count} users deactivated`, result);
    },
  );
}
