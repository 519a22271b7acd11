import { errorResponses, ok, okList, success, successList } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import {
  CreateOrganizationBody,
  ListOrganizationsQuery,
  OrganizationSchema,
  OrganizationStatsSchema,
  OrgIdParams,
  UpdateOrganizationBody,
} from './organizations.schemas.js';
import type { OrganizationsService } from './organizations.service.js';

const tags = ['organizations'];

export async function organizationsRoutes(app: App, { orgs }: { orgs: OrganizationsService }) {
  app.get(
    '',
    {
      onRequest: app.auth('super_admin', 'admin'),
      schema: {
        tags,
        summary: 'List organizations (super_admin: all; admin: their own)',
        security: bearer,
        querystring: ListOrganizationsQuery,
        response: { 200: okList(OrganizationSchema), ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const { items, pagination } = await orgs.list(req.actor, req.query);
      return successList('Organizations', items, pagination);
    },
  );

  app.post(
    '',
    {
      onRequest: app.auth('super_admin'),
      schema: {
        tags,
        summary: 'Create an organization (super_admin)',
        security: bearer,
        body: CreateOrganizationBody,
        response: { 201: ok(OrganizationSchema), ...errorResponses(400, 401, 403, 415) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(success('Organization created', await orgs.create(req.actor, req.body, req.ip))),
  );

  app.get(
    '/:org_id',
    {
      onRequest: app.auth('super_admin', 'admin', 'teacher'),
      schema: {
        tags,
        summary: 'One organization (super_admin: any; admin and teacher: their own)',
        security: bearer,
        params: OrgIdParams,
        response: { 200: ok(OrganizationSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('Organization', await orgs.get(req.actor, req.params.org_id)),
  );

  app.put(
    '/:org_id',
    {
      onRequest: app.auth('super_admin', 'admin'),
      schema: {
        tags,
        summary: 'Update an organization (super_admin, or admin of it; is_active is super_admin only)',
        description: 'Deactivating an organization revokes every login session of its users.',
        security: bearer,
        params: OrgIdParams,
        body: UpdateOrganizationBody,
        response: { 200: ok(OrganizationSchema), ...errorResponses(400, 401, 403, 404, 415) },
      },
    },
    async (req) =>
      success('Organization updated', await orgs.update(req.actor, req.params.org_id, req.body, req.ip)),
  );

  app.get(
    '/:org_id/stats',
    {
      onRequest: app.auth('super_admin', 'admin'),
      schema: {
        tags,
        summary: 'Counts of users by role, groups, sessions and attendance records; attendance rate',
        security: bearer,
        params: OrgIdParams,
        response: { 200: ok(OrganizationStatsSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('Organization statistics', await orgs.stats(req.actor, req.params.org_id)),
  );
}
