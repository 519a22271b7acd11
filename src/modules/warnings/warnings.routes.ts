import Type from 'typebox';
import { errorResponses, ok, okList, success, successList } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import {
  CreateWarningRuleBody,
  ListRulesQuery,
  ListWarningsQuery,
  RuleIdParams,
  UpdateWarningRuleBody,
  WarningRuleSchema,
  WarningSchema,
} from './warnings.schemas.js';
import type { WarningsService } from './warnings.service.js';

const tags = ['warnings'];
const admins = ['super_admin', 'admin'] as const;
const how =
  'Evaluated when a session closes, for the students with a record in it. rate_below: (present + late) / ' +
  'counted sessions < threshold; consecutive_absences: the latest `threshold` counted sessions are absences. ' +
  'Excused sessions are not counted at all (neither attended nor missed; they do not break a run). A student ' +
  'is looked at once they have min_sessions counted sessions; each rule warns a student at most once per ' +
  'cooldown_days. Messages name the sessions and dates missed.';
type RuleParams = { rule_id: string };

export async function warningsRoutes(app: App, { warnings }: { warnings: WarningsService }) {
  const opts = (summary: string, schema: Record<string, unknown>) => ({
    onRequest: app.auth(...admins),
    schema: { tags, summary, description: how, security: bearer, ...schema },
  });

  app.get(
    '/warning-rules',
    opts('Warning rules of the organization', {
      querystring: ListRulesQuery,
      response: { 200: okList(WarningRuleSchema), ...errorResponses(400, 401, 403, 404) },
    }),
    async (req) => {
      const { items, pagination } = await warnings.list(req.actor, req.query as never);
      return successList('Warning rules', items, pagination);
    },
  );
  app.post(
    '/warning-rules',
    opts('Create a warning rule', {
      body: CreateWarningRuleBody,
      response: { 201: ok(WarningRuleSchema), ...errorResponses(400, 401, 403, 404, 415) },
    }),
    async (req, reply) =>
      reply
        .status(201)
        .send(success('Warning rule created', await warnings.create(req.actor, req.body as never, req.ip))),
  );
  app.get(
    '/warning-rules/:rule_id',
    opts('One warning rule', {
      params: RuleIdParams,
      response: { 200: ok(WarningRuleSchema), ...errorResponses(400, 401, 403, 404) },
    }),
    async (req) => success('Warning rule', await warnings.get(req.actor, (req.params as RuleParams).rule_id)),
  );
  app.put(
    '/warning-rules/:rule_id',
    opts('Change a warning rule', {
      params: RuleIdParams,
      body: UpdateWarningRuleBody,
      response: { 200: ok(WarningRuleSchema), ...errorResponses(400, 401, 403, 404, 415) },
    }),
    async (req) =>
      success(
        'Warning rule updated',
        await warnings.update(req.actor, (req.params as RuleParams).rule_id, req.body as never, req.ip),
      ),
  );
  app.delete(
    '/warning-rules/:rule_id',
    opts('Delete a warning rule (warnings it sent stay in the log)', {
      params: RuleIdParams,
      response: { 200: ok(Type.Null()), ...errorResponses(400, 401, 403, 404) },
    }),
    async (req) => {
      await warnings.remove(req.actor, (req.params as RuleParams).rule_id, req.ip);
      return success('Warning rule deleted', null);
    },
  );
  app.get(
    '/warnings',
    opts('Warnings sent: to whom, why (figures and the sessions missed), newest first', {
      querystring: ListWarningsQuery,
      response: { 200: okList(WarningSchema), ...errorResponses(400, 401, 403, 404) },
    }),
    async (req) => {
      const { items, pagination } = await warnings.warnings(req.actor, req.query as never);
      return successList('Warnings', items, pagination);
    },
  );
}
