/**
 * A per-user credentials version (issue 17 item 2). Every change that must end the user's sessions
 * (new password, role change, deactivation, deletion, organization deactivation) adds one to it;
 * a login creates its session only if the version it read before verifying the password is still
 * the current one, checked in the session-creating transaction; each session records the version
 * it was issued under, and a request is accepted only while the two match.
 */
import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  for (const table of ['users', 'user_sessions'])
    await db.schema
      .alterTable(table)
      .addColumn('credentials_version', 'integer', (c) => c.notNull().defaultTo(sql`0`))
      .execute();
}

export async function down(db: Db): Promise<void> {
  for (const table of ['users', 'user_sessions'])
    await db.schema.alterTable(table).dropColumn('credentials_version').execute();
}
