import { errorResponses, ok, okList, success, successList } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import {
  CreateUserBody,
  ListUsersQuery,
  StudentsQuery,
  UpdateUserBody,
  UserIdParams,
  UserSchema,
} from './users.schemas.js';
import type { UsersService } from './users.service.js';

const tags = ['users'];
const readers = ['super_admin', 'admin', 'teacher'] as const;
const writers = ['super_admin', 'admin'] as const;

/** /admin/users and /admin/students (registered under the /admin prefix). */
export async function usersRoutes(app: App, { users }: { users: UsersService }) {
  app.get(
    '/users',
    {
      onRequest: app.auth(...readers),
      schema: {
        tags,
        summary:
          'List users (admin: their organization; super_admin: all or ?org_id; teacher: students only)',
        description: 'q matches name or email, case-insensitive; % and _ in q are literal characters.',
        security: bearer,
        querystring: ListUsersQuery,
        response: { 200: okList(UserSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { items, pagination } = await users.list(req.actor, req.query);
      return successList('Users', items, pagination);
    },
  );

  app.post(
    '/users',
    {
      onRequest: app.auth(...writers),
      schema: {
        tags,
        summary: "Create a user in the caller's organization (super_admin passes org_id)",
        security: bearer,
        body: CreateUserBody,
        response: { 201: ok(UserSchema), ...errorResponses(400, 401, 403, 404, 409, 415) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(success('User created', await users.create(req.actor, req.body, req.ip))),
  );

  app.get(
    '/users/:user_id',
    {
      onRequest: app.auth(...readers),
      schema: {
        tags,
        summary: 'One user (teachers: students only)',
        security: bearer,
        params: UserIdParams,
        response: { 200: ok(UserSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('User', await users.get(req.actor, req.params.user_id)),
  );

  app.put(
    '/users/:user_id',
    {
      onRequest: app.auth(...writers),
      schema: {
        tags,
        summary: 'Update a user',
        description:
          'Deactivating, a role change or a new password revokes all of the user’s login sessions. ' +
          'Nobody can change their own role or deactivate themselves here (409).',
        security: bearer,
        params: UserIdParams,
        body: UpdateUserBody,
        response: { 200: ok(UserSchema), ...errorResponses(400, 401, 403, 404, 409, 415) },
      },
    },
    async (req) =>
      success('User updated', await users.update(req.actor, req.params.user_id, req.body, req.ip)),
  );

  app.delete(
    '/users/:user_id',
    {
      onRequest: app.auth(...writers),
      schema: {
        tags,
        summary: 'Soft-delete a user: deactivated, sessions revoked, history kept',
        security: bearer,
        params: UserIdParams,
        response: { 200: ok(UserSchema), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => success('User deactivated', await users.remove(req.actor, req.params.user_id, req.ip)),
  );

  app.get(
    '/students',
    {
      onRequest: app.auth(...readers),
      schema: {
        tags,
        summary:
          'Students of the organization (active and inactive), alphabetical; ?group_id narrows to a group',
        security: bearer,
        querystring: StudentsQuery,
        response: { 200: okList(UserSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { items, pagination } = await users.students(req.actor, req.query);
      return successList('Students', items, pagination);
    },
  );
}
