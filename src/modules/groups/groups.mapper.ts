import { toIso } from '../../lib/time.js';
import type { GroupWithCount, MemberRow } from './groups.repository.js';
import type { GroupDto } from './groups.schemas.js';

export function toGroupDto(g: GroupWithCount): GroupDto {
  return {
    group_id: g.group_id,
    org_id: g.org_id,
    name: g.name,
    description: g.description,
    member_count: Number(g.member_count ?? 0),
    created_at: toIso(Number(g.created_at)),
    updated_at: toIso(Number(g.updated_at)),
  };
}

export const toMemberDto = (m: MemberRow) => ({
  user_id: m.user_id,
  name: m.name,
  email: m.email,
  role: m.role,
  is_active: Boolean(m.is_active),
});
