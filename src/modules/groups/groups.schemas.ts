import Type, { type Static } from 'typebox';
import { PaginationQuery } from '../../lib/pagination.js';
import { DisplayName, FreeText, Nullable, Uuid } from '../../lib/strings.js';
import { RoleSchema } from '../users/users.schemas.js';

const GroupName = DisplayName(255);
const Description = FreeText(2000);

export const GroupSchema = Type.Object({
  group_id: Type.String(),
  org_id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  member_count: Type.Integer({ description: 'all members, active or not' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type GroupDto = Static<typeof GroupSchema>;

export const GroupMemberSchema = Type.Object({
  user_id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  role: RoleSchema,
  is_active: Type.Boolean(),
});

export const GroupDetailSchema = Type.Object({
  ...GroupSchema.properties,
  members: Type.Array(GroupMemberSchema),
});
export type GroupDetailDto = Static<typeof GroupDetailSchema>;

export const CreateGroupBody = Type.Object(
  {
    name: GroupName,
    description: Type.Optional(Nullable(Description)),
    org_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type CreateGroupInput = Static<typeof CreateGroupBody>;

export const UpdateGroupBody = Type.Object(
  { name: Type.Optional(GroupName), description: Type.Optional(Nullable(Description)) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateGroupInput = Static<typeof UpdateGroupBody>;

export const ListGroupsQuery = Type.Object(
  {
    ...PaginationQuery,
    q: Type.Optional(FreeText(100)),
    org_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type ListGroupsFilter = Static<typeof ListGroupsQuery>;

export const GroupIdParams = Type.Object({ group_id: Uuid }, { additionalProperties: false });
export const GroupMemberParams = Type.Object(
  { group_id: Uuid, user_id: Uuid },
  { additionalProperties: false },
);

export const AddMembersBody = Type.Object(
  { user_ids: Type.Array(Uuid, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);
export type AddMembersInput = Static<typeof AddMembersBody>;

export const AddMembersResultSchema = Type.Object({
  ...GroupSchema.properties,
  added: Type.Integer({ description: 'memberships created by this call (existing members are skipped)' }),
});
