import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import { errorResponses, ok, success } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import type { ExportService } from './export.service.js';
import { type ExportFormat, exportFilename } from './export.service.js';
import {
  ExportQuery,
  IdParams,
  OrgSummaryQuery,
  OrgSummarySchema,
  SessionReportSchema,
  TrendsQuery,
  TrendsSchema,
  UserReportQuery,
  UserReportSchema,
} from './reports.schemas.js';
import type { ReportsService } from './reports.service.js';

const tags = ['reports'];
const staff = ['teacher', 'admin', 'super_admin'] as const;
const OrgOnly = Type.Object(
  { org_id: Type.Optional(Type.String({ format: 'uuid' })) },
  { additionalProperties: false },
);

export async function reportsRoutes(
  app: App,
  { reports, exports }: { reports: ReportsService; exports: ExportService },
) {
  const guard = app.auth(...staff);

  app.get(
    '/session/:id/detailed',
    {
      onRequest: guard,
      schema: {
        tags,
        summary: 'Every expected attendee of a session with status, times and distance',
        security: bearer,
        params: IdParams,
        querystring: OrgOnly,
        response: { 200: ok(SessionReportSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) =>
      success('Session report', await reports.sessionDetailed(req.actor, req.params.id, req.query)),
  );

  app.get(
    '/organization/summary',
    {
      onRequest: guard,
      schema: {
        tags,
        summary: 'Sessions held, totals per status, rate, per-group rates, lowest attendance',
        security: bearer,
        querystring: OrgSummaryQuery,
        response: { 200: ok(OrgSummarySchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('Organization summary', await reports.organizationSummary(req.actor, req.query)),
  );

  app.get(
    '/user/:id/detailed',
    {
      onRequest: guard,
      schema: {
        tags,
        summary: "A user's totals, rate, lateness and sessions",
        security: bearer,
        params: IdParams,
        querystring: UserReportQuery,
        response: { 200: ok(UserReportSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('User report', await reports.userDetailed(req.actor, req.params.id, req.query)),
  );

  app.get(
    '/attendance/trends',
    {
      onRequest: guard,
      schema: {
        tags,
        summary: "One point per day, week or month in the organization's time zone, gaps filled",
        security: bearer,
        querystring: TrendsQuery,
        response: { 200: ok(TrendsSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('Attendance trends', await reports.trends(req.actor, req.query)),
  );

  const exportRoute =
    (format: ExportFormat) =>
    async (
      req: { actor: Parameters<ExportService['open']>[0]; query: Parameters<ExportService['open']>[1] },
      reply: FastifyReply,
    ) => {
      const stream = await exports.open(req.actor, req.query, format);
      return reply
        .header(
          'content-type',
          format === 'csv'
            ? 'text/csv; charset=utf-8'
            : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        )
        .header('content-disposition', `attachment; filename="${exportFilename(format)}"`)
        .header('cache-control', 'no-store')
        .send(stream);
    };
  const exportSchema = (what: string, contentType: string) => ({
    tags,
    summary: what,
    security: bearer,
    querystring: ExportQuery,
    response: {
      200: {
        description: `${contentType} attachment`,
        content: { [contentType]: { schema: { type: 'string' } } },
      },
      ...errorResponses(400, 401, 403, 404),
    },
  });
  app.get(
    '/export/csv',
    {
      onRequest: guard,
      schema: exportSchema('Attendance records as CSV (RFC 4180, UTF-8, streamed)', 'text/csv'),
    },
    exportRoute('csv'),
  );
  app.get(
    '/export/xlsx',
    {
      onRequest: guard,
      schema: exportSchema(
        'The same rows as an Excel workbook',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      ),
    },
    exportRoute('xlsx'),
  );
}
