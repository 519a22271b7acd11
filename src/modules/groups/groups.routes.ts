import Type from 'typebox';
import { errorResponses, ok, okList, success, successList } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import {
  AddMembersBody,
  AddMembersResultSchema,
  CreateGroupBody,
  GroupDetailSchema,
  GroupIdParams,
  GroupMemberParams,
  GroupSchema,
  ListGroupsQuery,
  UpdateGroupBody,
} from './groups.schemas.js';
import type { GroupsService } from './groups.service.js';

const tags = ['groups'];
const readers = ['super_admin', 'admin', 'teacher'] as const;
const writers = ['super_admin', 'admin'] as const;

export async function groupsRoutes(app: App, { groups }: { groups: GroupsService }) {
  app.get(
    '',
    {
      onRequest: app.auth(...readers),
      schema: {
        tags,
        summary: 'List groups of the organization (super_admin: all, or ?org_id)',
        security: bearer,
        querystring: ListGroupsQuery,
        response: { 200: okList(GroupSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { items, pagination } = await groups.list(req.actor, req.query);
      return successList('Groups', items, pagination);
    },
  );

  app.post(
    '',
    {
      onRequest: app.auth(...writers),
      schema: {
        tags,
        summary: 'Create a group (name unique in the organization; super_admin passes org_id)',
        security: bearer,
        body: CreateGroupBody,
        response: { 201: ok(GroupSchema), ...errorResponses(400, 401, 403, 404, 409, 415) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(success('Group created', await groups.create(req.actor, req.body, req.ip))),
  );

  app.get(
    '/:group_id',
    {
      onRequest: app.auth(...readers),
      schema: {
        tags,
        summary: 'One group with its members',
        security: bearer,
        params: GroupIdParams,
        response: { 200: ok(GroupDetailSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('Group', await groups.get(req.actor, req.params.group_id)),
  );

  app.put(
    '/:group_id',
    {
      onRequest: app.auth(...writers),
      schema: {
        tags,
        summary: 'Rename or describe a group',
        security: bearer,
        params: GroupIdParams,
        body: UpdateGroupBody,
        response: { 200: ok(GroupSchema), ...errorResponses(400, 401, 403, 404, 409, 415) },
      },
    },
    async (req) =>
      success('Group updated', await groups.update(req.actor, req.params.group_id, req.body, req.ip)),
  );

  app.delete(
    '/:group_id',
    {
      onRequest: app.auth(...writers),
      schema: {
        tags,
        summary: 'Delete a group and its memberships (409 while attendance sessions target it)',
        security: bearer,
        params: GroupIdParams,
        response: { 200: ok(Type.Null()), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      await groups.remove(req.actor, req.params.group_id, req.ip);
      return success('Group deleted', null);
    },
  );

  app.post(
    '/:group_id/members',
    {
      onRequest: app.auth(...writers),
      schema: {
        tags,
        summary: 'Add users of the same organization to a group (existing members are skipped)',
        description:
          'Any id that is not a user of the organization answers 404 with details.missing_user_ids ' +
          'and adds nobody.',
        security: bearer,
        params: GroupIdParams,
        body: AddMembersBody,
        response: { 200: ok(AddMembersResultSchema), ...errorResponses(400, 401, 403, 404, 415) },
      },
    },
    async (req) =>
      success('Members added', await groups.addMembers(req.actor, req.params.group_id, req.body, req.ip)),
  );

  app.delete(
    '/:group_id/members/:user_id',
    {
      onRequest: app.auth(...writers),
      schema: {
        tags,
        summary: 'Remove a member from a group (404 if not a member)',
        security: bearer,
        params: GroupMemberParams,
        response: { 200: ok(GroupSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) =>
      success(
        'Member removed',
        await groups.removeMember(req.actor, req.params.group_id, req.params.user_id, req.ip),
      ),
  );
}
