import Type, { type Static } from 'typebox';
import { Email, FreeText, Name, NewPassword, Nullable, Password, Uuid } from '../../lib/strings.js';
import { RoleSchema, UserSchema } from '../users/users.schemas.js';

export const RegisterBody = Type.Object(
  { name: Name, email: Email, password: NewPassword, org_id: Uuid, role: Type.Optional(RoleSchema) },
  { additionalProperties: false },
);
export type RegisterInput = Static<typeof RegisterBody>;

export const LoginBody = Type.Object(
  {
    email: FreeText(255, { minLength: 1 }),
    password: Password,
    device_info: Type.Optional(FreeText(500)),
  },
  { additionalProperties: false },
);
export type LoginInput = Static<typeof LoginBody>;

export const RefreshBody = Type.Object(
  {
    refresh_token: Type.Optional(
      FreeText(200, { minLength: 1, description: 'omitted: the refresh cookie is used' }),
    ),
  },
  { additionalProperties: false },
);

export const ChangePasswordBody = Type.Object(
  { old_password: Password, new_password: NewPassword },
  { additionalProperties: false },
);

export const UpdateProfileBody = Type.Object({ name: Name }, { additionalProperties: false });

export const SessionSchema = Type.Object({
  session_id: Type.String(),
  expires_at: Type.String({ format: 'date-time' }),
  device_info: Nullable(Type.String()),
  ip_address: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  last_seen_at: Type.String({ format: 'date-time' }),
  current: Type.Boolean(),
});
export type SessionDto = Static<typeof SessionSchema>;

const RefreshTokenField = Type.Optional(
  Type.String({
    description: 'absent when the request sent `X-Auth-Cookie: 1` (the token is in the cookie)',
  }),
);

export const TokenPairSchema = Type.Object({
  jwt_token: Type.String(),
  refresh_token: RefreshTokenField,
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'access token lifetime in seconds' }),
});

export const LoginResultSchema = Type.Object({
  jwt_token: Type.String(),
  /** Copies for clients written for the original service (API.md "Clients written for the original"). */
  token: Type.String({ deprecated: true, description: 'copy of jwt_token, for clients of the original' }),
  access_token: Type.String({
    deprecated: true,
    description: 'copy of jwt_token, for clients of the original',
  }),
  refresh_token: RefreshTokenField,
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  user: UserSchema,
  session: SessionSchema,
});

export const VerifyResultSchema = Type.Object({
  valid: Type.Literal(true),
  user: UserSchema,
  session: SessionSchema,
});

export const SessionIdParams = Type.Object({ session_id: Uuid }, { additionalProperties: false });
