/**
 * Which engine a test run uses. SQLite in memory by default; TEST_DATABASE_URL=postgres://… or
 * mysql://… points the whole suite at a server, and every test file gets its own database there,
 * created here and dropped afterwards, so runs never see each other's rows.
 */
import { randomBytes } from 'node:crypto';

export async function freshDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base || base.startsWith('sqlite:')) return { url: base ?? 'sqlite::memory:', drop: async () => {} };
  const name = `att_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const u = new URL(base.replace(/^mariadb:/, 'mysql:'));
  if (base.startsWith('postgres')) {
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    u.pathname = `/${name}`;
    return {
      url: u.toString().replace(/^mysql:/, 'postgres:'),
      drop: async () => {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const mysql = await import('mysql2/promise');
  const admin = await mysql.createConnection({ uri: u.toString() });
  await admin.query(`create database ${name} character set utf8mb4 collate utf8mb4_unicode_ci`);
  await admin.end();
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = await mysql.createConnection({ uri: base.replace(/^mariadb:/, 'mysql:') });
      await c.query(`drop database if exists ${name}`);
      await c.end();
    },
  };
}
