import { errorResponses, ok, okList, success, successList } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import {
  CreateSeriesBody,
  ListSeriesQuery,
  SeriesIdParams,
  SeriesSchema,
  SeriesWithSessionsSchema,
  UpdateSeriesBody,
} from './series.schemas.js';
import type { SeriesService } from './series.service.js';

const tags = ['sessions'];

export async function seriesRoutes(app: App, { series }: { series: SeriesService }) {
  const staff = app.auth('teacher', 'admin', 'super_admin');

  app.post(
    '',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Create a session series: its sessions are created at once (at most 400)',
        description:
          'Sessions fall on `weekdays` between start_date and end_date (inclusive), every interval_weeks-th ' +
          'week from the ISO week of start_date, except skip_dates, from start_local to end_local in ' +
          '`timezone` (default the organization’s). A time inside a DST gap moves forward by the gap; an ' +
          'ambiguous one takes the earlier offset. Any single-session setting applies to every session. ' +
          'teacher_ids default to the creating teacher (none when an admin creates it); only admins set them.',
        security: bearer,
        body: CreateSeriesBody,
        response: { 201: ok(SeriesWithSessionsSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(success('Series created', await series.create(req.actor, req.body))),
  );

  app.get(
    '',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'List the organization’s session series (newest first)',
        security: bearer,
        querystring: ListSeriesQuery,
        response: { 200: okList(SeriesSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { items, pagination } = await series.list(req.actor, req.query);
      return successList('Series', items, pagination);
    },
  );

  app.get(
    '/:series_id',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Read a session series with its sessions',
        security: bearer,
        params: SeriesIdParams,
        response: { 200: ok(SeriesWithSessionsSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('Series', await series.get(req.actor, req.params.series_id)),
  );

  app.put(
    '/:series_id',
    {
      onRequest: staff,
      schema: {
        tags,
        summary:
          'Change a series: its sessions that have not started and were not edited on their own follow (its teachers, admins)',
        security: bearer,
        params: SeriesIdParams,
        body: UpdateSeriesBody,
        response: { 200: ok(SeriesWithSessionsSchema), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => success('Series updated', await series.update(req.actor, req.params.series_id, req.body)),
  );

  app.delete(
    '/:series_id',
    {
      onRequest: staff,
      schema: {
        tags,
        summary:
          'Cancel a series: its sessions that have not started are cancelled as DELETE /admin/sessions/{id} does (its teachers, admins)',
        security: bearer,
        params: SeriesIdParams,
        response: { 200: ok(SeriesWithSessionsSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('Series cancelled', await series.cancel(req.actor, req.params.series_id)),
  );
}
