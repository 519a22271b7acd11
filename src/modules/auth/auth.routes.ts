import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import type { Config } from '../../config.js';
import { errorResponses, ok, success } from '../../lib/envelope.js';
import { forbidden, unauthorized } from '../../lib/errors.js';
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
import {
  clearRefreshCookie,
  fromPublicOrigin,
  readRefreshCookie,
  setRefreshCookie,
  wantsCookie,
} from './refresh-cookie.js';

const tags = ['auth'];
const Empty = Type.Null();

const cookieHeader = Type.Object({
  'x-auth-cookie': Type.Optional(
    Type.String({
      description: '`1`: put the refresh token in an HttpOnly cookie (path /auth), not in the body',
    }),
  ),
});

export async function authRoutes(app: App, { auth, config }: { auth: AuthService; config: Config }) {
  /** Cookie mode: the refresh token moves from the body into the HttpOnly cookie. */
  const toCookie = <T extends { refresh_token?: string }>(reply: FastifyReply, data: T): T => {
    setRefreshCookie(reply, data.refresh_token!, config.sessionExpiryHours * 3600, config.publicUrl);
    const { refresh_token: _moved, ...rest } = data;
    return rest as T;
  };

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
        headers: cookieHeader,
        body: LoginBody,
        response: { 200: ok(LoginResultSchema), ...errorResponses(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const result = await auth.login(req.body, clientInfo(req));
      const body = wantsCookie(req) ? toCookie(reply, result) : result;
      // Copies for clients written for the original service (API.md "Clients written for the original").
      return success('Login successful', {
        ...body,
        token: result.jwt_token,
        access_token: result.jwt_token,
      });
    },
  );

  app.post(
    '/refresh',
    {
      // The web app's refresh sends no body at all: that is an empty object, not a validation error.
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) req.body = {};
      },
      schema: {
        tags,
        summary: 'Exchange a refresh token for a new token pair (rotation)',
        description:
          'With no body, the refresh cookie is used; the request must then carry an Origin equal to ' +
          "PUBLIC_URL's (403 otherwise) and the new refresh token goes back into the cookie.",
        headers: cookieHeader,
        body: RefreshBody,
        response: { 200: ok(TokenPairSchema), ...errorResponses(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const fromBody = req.body.refresh_token;
      const token = fromBody ?? readRefreshCookie(req);
      if (!token) throw unauthorized('No refresh token: send refresh_token, or the refresh cookie');
      if (fromBody === undefined && !fromPublicOrigin(req, config.publicUrl))
        throw forbidden("A cookie refresh must come from the web app's origin (PUBLIC_URL)");
      const cookieMode = fromBody === undefined || wantsCookie(req);
      const pair = await auth.refresh(token);
      return success('Token refreshed', cookieMode ? toCookie(reply, pair) : pair);
    },
  );

  app.post(
    '/logout',
    {
      onRequest: app.auth(),
      schema: {
        tags,
        summary: 'Revoke the current session (and clear the refresh cookie)',
        security: bearer,
        response: { 200: ok(Empty), ...errorResponses(401) },
      },
    },
    async (req, reply) => {
      await auth.logout(req.actor);
      clearRefreshCookie(reply, config.publicUrl);
      return success('Logged out', null);
    },
  );

  app.post(
    '/logout-all',
    {
      onRequest: app.auth(),
      schema: {
        tags,
        summary: 'Revoke every session of the caller, this one included (and clear the refresh cookie)',
        security: bearer,
        response: { 200: ok(Type.Object({ sessions_revoked: Type.Integer() })), ...errorResponses(401) },
      },
    },
    async (req, reply) => {
      const result = await auth.logoutAll(req.actor, clientInfo(req));
      clearRefreshCookie(reply, config.publicUrl);
      return success('Logged out everywhere', result);
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
        description:
          'A wrong `old_password` counts as a failed login of the account (LOGIN_MAX_PER_ACCOUNT_IP from this ' +
          'address, LOGIN_MAX_PER_ACCOUNT in all); once either is reached, 429 with Retry-After.',
        security: bearer,
        body: ChangePasswordBody,
        response: {
          200: ok(Type.Object({ sessions_revoked: Type.Integer() })),
          ...errorResponses(400, 401, 429),
        },
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
