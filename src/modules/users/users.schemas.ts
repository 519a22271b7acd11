import Type, { type Static } from 'typebox';
import { PaginationQuery } from '../../lib/pagination.js';
import { Email, FreeText, Name, NewPassword, Nullable, Password, Uuid } from '../../lib/strings.js';
import { ROLES } from './users.table.js';

export const RoleSchema = Type.Enum([...ROLES]);

export const UserSchema = Type.Object(
  {
    user_id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    role: RoleSchema,
    org_id: Nullable(Type.String()),
    is_active: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    last_login_at: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'User' },
);
export type UserDto = Static<typeof UserSchema>;

export const CreateUserBody = Type.Object(
  {
    name: Name,
    email: Email,
    password: NewPassword,
    role: RoleSchema,
    org_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type CreateUserInput = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    name: Type.Optional(Name),
    email: Type.Optional(Email),
    role: Type.Optional(RoleSchema),
    is_active: Type.Optional(Type.Boolean()),
    password: Type.Optional(NewPassword),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserInput = Static<typeof UpdateUserBody>;

export const ListUsersQuery = Type.Object(
  {
    ...PaginationQuery,
    role: Type.Optional(RoleSchema),
    is_active: Type.Optional(Type.Boolean()),
    q: Type.Optional(FreeText(100)),
    org_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type ListUsersFilter = Static<typeof ListUsersQuery>;

export const UserIdParams = Type.Object({ user_id: Uuid }, { additionalProperties: false });

export const StudentsQuery = Type.Object(
  {
    ...PaginationQuery,
    q: Type.Optional(FreeText(100)),
    group_id: Type.Optional(Uuid),
    is_active: Type.Optional(Type.Boolean()),
    org_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type StudentsFilter = Static<typeof StudentsQuery>;

/** Roles a bulk import may create; super_admin accounts are made one at a time. */
export const BULK_ROLES = ['admin', 'teacher', 'student'] as const;

/** One row, checked on its own by the bulk service so a bad row fails alone. */
export const BulkRowSchema = Type.Object(
  {
    name: Name,
    email: Email,
    role: Type.Optional(RoleSchema),
    password: Type.Optional(Password),
  },
  { additionalProperties: false },
);

export const BulkUsersJsonBody = Type.Object(
  {
    users: Type.Array(Type.Record(Type.String(), Type.Unknown()), { minItems: 1, maxItems: 10_000 }),
    org_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type BulkUsersJson = Static<typeof BulkUsersJsonBody>;

export const BulkCsvBody = Type.String({
  description: 'CSV with a header line naming the columns: name,email[,role][,password]',
});

export const BulkQuery = Type.Object({ org_id: Type.Optional(Uuid) }, { additionalProperties: false });

export const BulkRowResultSchema = Type.Object({
  row: Type.Integer({ description: '1-based data row (the CSV header is not counted)' }),
  email: Nullable(Type.String()),
  status: Type.Enum(['created', 'error']),
  user_id: Type.Optional(Type.String()),
  password: Type.Optional(Type.String({ description: 'only when it was generated; shown once' })),
  error_code: Type.Optional(Type.Enum(['VALIDATION_ERROR', 'EMAIL_TAKEN'])),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});
export type BulkRowResult = Static<typeof BulkRowResultSchema>;

export const BulkResultSchema = Type.Object({
  created: Type.Integer(),
  failed: Type.Integer(),
  results: Type.Array(BulkRowResultSchema),
});

export const DeactivateInactiveBody = Type.Object(
  {
    inactive_days: Type.Integer({ minimum: 1, maximum: 3650 }),
    org_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type DeactivateInactiveInput = Static<typeof DeactivateInactiveBody>;

export const DeactivateInactiveResultSchema = Type.Object({
  count: Type.Integer(),
  user_ids: Type.Array(Type.String()),
});
