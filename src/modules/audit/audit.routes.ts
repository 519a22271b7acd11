import type { FastifyReply } from 'fastify';
import { errorResponses, okList, successList } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import { auditActionsMarkdown } from './audit.actions.js';
import { AuditEntrySchema, AuditExportQuery, AuditListQuery } from './audit.schemas.js';
import type { AuditService } from './audit.service.js';

const tags = ['audit'];
const readers = ['super_admin', 'admin'] as const;
const actions = `Actions (\`<object>.<verb>\`):\n\n${auditActionsMarkdown()}`;

export async function auditRoutes(app: App, { audit }: { audit: AuditService }) {
  app.get(
    '',
    {
      onRequest: app.auth(...readers),
      schema: {
        tags,
        summary: 'The audit log, newest first (admin: own organization; super_admin: all, or org_id)',
        description: `Filters combine with AND. \`action\` ending in "." matches a prefix.\n\n${actions}`,
        security: bearer,
        querystring: AuditListQuery,
        response: { 200: okList(AuditEntrySchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { items, pagination } = await audit.list(req.actor, req.query);
      return successList('Audit log', items, pagination);
    },
  );

  app.get(
    '/export.csv',
    {
      onRequest: app.auth(...readers),
      schema: {
        tags,
        summary: 'The audit log as CSV (same filters, every matching entry, streamed)',
        description: `Cells that begin with = + - @ are neutralised against formula injection.\n\n${actions}`,
        security: bearer,
        querystring: AuditExportQuery,
        response: {
          200: {
            description: 'text/csv attachment',
            content: { 'text/csv': { schema: { type: 'string' } } },
          },
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (req, reply) => {
      const stream = await audit.exportCsv(req.actor, req.query);
      // The typed reply expects the JSON schema's type; the 200 here is a text stream.
      return (reply as FastifyReply)
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit-log.csv"')
        .header('cache-control', 'no-store')
        .send(stream);
    },
  );
}
