import Type from 'typebox';
import { errorResponses, ok, success } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import { Nullable, Uuid } from '../../lib/strings.js';
import type { JobsService } from './jobs.service.js';

export const JobSchema = Type.Object({
  job_id: Type.String(),
  kind: Type.String(),
  state: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('done'),
    Type.Literal('failed'),
  ]),
  progress: Type.Object({ done: Type.Integer(), total: Type.Integer() }),
  result: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  error: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  finished_at: Nullable(Type.String({ format: 'date-time' })),
});

export async function jobsRoutes(app: App, { jobs }: { jobs: JobsService }) {
  app.get(
    '/:job_id',
    {
      onRequest: app.auth('super_admin', 'admin'),
      schema: {
        tags: ['jobs'],
        summary: 'A background job: state, progress {done, total}, result',
        description:
          'Generated passwords in a bulk import result are shown to the job’s creator on the first read ' +
          'after `done`, then erased. A job interrupted by a server restart is reported `failed`.',
        security: bearer,
        params: Type.Object({ job_id: Uuid }, { additionalProperties: false }),
        response: { 200: ok(JobSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('Job', await jobs.get(req.actor, (req.params as { job_id: string }).job_id)),
  );
}
