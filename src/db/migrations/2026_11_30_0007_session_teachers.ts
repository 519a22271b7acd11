/**
 * "Who runs a session" (API.md Part 2): the teachers of a session, as a join table rather than a JSON
 * column, so "the sessions I teach" (calendar feed, lists) is an indexed lookup by user_id on every
 * engine. Existing sessions keep Part 1's rule: the teacher who created one runs it (sessions an
 * admin created get no teachers, as new ones do).
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not use app types
type Db = Kysely<any>;

const id = 'varchar(36)';

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('session_teachers')
    .addColumn('session_id', id, (c) =>
      c.notNull().references('attendance_sessions.session_id').onDelete('cascade'),
    )
    .addColumn('user_id', id, (c) => c.notNull().references('users.user_id'))
    .addColumn('org_id', id, (c) => c.notNull())
    .addPrimaryKeyConstraint('session_teachers_pk', ['session_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('session_teachers_user_idx')
    .on('session_teachers')
    .columns(['user_id', 'session_id'])
    .execute();

  await db
    .insertInto('session_teachers')
    .columns(['session_id', 'user_id', 'org_id'])
    .expression(
      db
        .selectFrom('attendance_sessions as s')
        .innerJoin('users as u', 'u.user_id', 's.created_by')
        .select(['s.session_id', 's.created_by', 's.org_id'])
        .where('u.role', '=', 'teacher'),
    )
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('session_teachers').execute();
}
