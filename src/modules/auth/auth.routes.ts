import Type from 'typebox';
import { errorResponses, ok, success } from '../../lib/envelope.js';
import { type App, bearer, clientInfo } from '../../lib/http.js';
import { UserSchema } from '../users/users.schemas.js';
import {
  ChangePasswordBody,
  LoginBody,
  LoginResultSchema,
  RefreshBody,
  RegisterBody,
  SessionIdParams,
  SessionSchema,
  TokenPairSchema,
  UpdateProfileBody,
  VerifyResultSchema,
} from './auth.schemas.js';
import type { AuthService } from './auth.service.js';

const tags = ['auth'];
const Empty = Type.Null();

export async function authRoutes(app: App, { auth }: { auth: AuthService }) {
  app.post(
    '/register',
    {
      schema: {
        tags,
        summary: 'Self-register a student',
        body: RegisterBody,
        response: { 201: ok(UserSchema), ...errorResponses(400, 403, 404, 409, 415) },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(success('Registration successful', await auth.register(req.body, clientInfo(req)))),
  );

  app.post(
    '/login',
    {
      schema: {
        tags,
        summary: 'Log in with email and password',
        body: LoginBody,
        response: { 200: ok(LoginResultSchema), ...errorResponses(400, 401, 429) },
      },
    },
    async (req) => {
      const result = await auth.login(req.body, clientInfo(req));
      return success('Login successful', {
        ...result,
        token: result.jwt_token,
        access_token: result.jwt_token,
      });
    },
  );

  app.post(
    '/refresh',
    {
      schema: {
        tags,
        summary: 'Exchange a refresh token for a new token pair (rotation)',
        body: RefreshBody,
        response: { 200: ok(TokenPairSchema), ...errorResponses(400, 401) },
      },
    },
    async (req) => success('Token refreshed', await auth.refresh(req.body.refresh_token)),
  );

  app.post(
    '/logout',
    {
      onRequest: app.auth(),
      schema: {
        tags,
        summary: 'Revoke the current session',
        security: bearer,
        response: { 200: ok(Empty), ...errorResponses(401) },
      },
    },
    async (req) => {
      await auth.logout(req.actor);
      return success('Logged out', null);
    },
  );

  app.get(
    '/verify',
    {
      onRequest: app.auth(),
      schema: {
        tags,
        summary: 'Check the token and return its user and session',
        security: bearer,
        response: { 200: ok(VerifyResultSchema), ...errorResponses(401) },
      },
    },
    async (req) => success('Token is valid', await auth.verify(req.actor)),
  );

  app.get(
    '/profile',
    {
      onRequest: app.auth(),
      schema: {
        tags,
        summary: 'The current user',
        security: bearer,
        response: { 200: ok(UserSchema), ...errorResponses(401) },
      },
    },
    async (req) => success('Profile', await auth.profile(req.actor)),
  );

  app.put(
    '/profile',
    {
      onRequest: app.auth(),
      schema: {
        tags,
        summary: 'Update the current user',
        security: bearer,
        body: UpdateProfileBody,
        response: { 200: ok(UserSchema), ...errorResponses(400, 401) },
      },
    },
    async (req) => success('Profile updated', await auth.updateProfile(req.actor, req.body)),
  );

  app.post(
    '/change-password',
    {
      onRequest: app.auth(),
      schema: {
        tags,
        summary: 'Change password; every other session is revoked',
        security: bearer,
        body: ChangePasswordBody,
        response: { 200: ok(Type.Object({ sessions_revoked: Type.Integer() })), ...errorResponses(400, 401) },
      },
    },
    async (req) =>
      success('Password changed', await auth.changePassword(req.actor, req.body, clientInfo(req))),
  );

  app.get(
    '/sessions',
    {
      onRequest: app.auth(),
      schema: {
        tags,
        summary: "The caller's active sessions",
        security: bearer,
        response: { 200: ok(Type.Array(SessionSchema)), ...errorResponses(401) },
      },
    },
    async (req) => success('Active sessions', await auth.listSessions(req.actor)),
  );

  app.delete(
    '/sessions/:session_id',
    {
      onRequest: app.auth(),
      schema: {
        tags,
        summary: 'Revoke one of your sessions',
        security: bearer,
        params: SessionIdParams,
        response: { 200: ok(Empty), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      await auth.revokeSession(req.actor, req.params.session_id);
      return success('Session revoked', null);
    },
  );
}
