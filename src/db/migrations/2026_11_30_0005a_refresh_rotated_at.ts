/**
 * When the session's refresh token was last rotated (issue 17 item 4, REFRESH_GRACE_SECONDS). With
 * it the pair that rotation returned can be derived again — the refresh token is an HMAC of (session,
 * generation, salt) and the access token a JWT whose iat is this instant — so a second tab presenting
 * the just-rotated token within the grace gets the same pair, and no token is stored.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema.alterTable('user_sessions').addColumn('rotated_at', 'bigint').execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.alterTable('user_sessions').dropColumn('rotated_at').execute();
}
