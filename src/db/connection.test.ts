import { describe, expect, it } from 'vitest';
import { dialectOf, pgStartupOptions, sqlitePath } from './connection.js';

describe('DATABASE_URL', () => {
  it.each([
    ['sqlite:///instance/attendance.db', 'sqlite'],
    ['sqlite::memory:', 'sqlite'],
    ['postgres://u:p@h:5432/db', 'postgres'],
    ['postgresql://h/db', 'postgres'],
    ['mysql://root@h:3306/db', 'mysql'],
    ['mariadb://root@h/db', 'mysql'],
  ])('%s is %s', (url, dialect) => expect(dialectOf(url)).toBe(dialect));

  it('reads SQLite paths the way SQLAlchemy does', () => {
    expect(sqlitePath('sqlite:///instance/attendance.db')).toBe('instance/attendance.db');
    expect(sqlitePath('sqlite:////var/lib/att.db')).toBe('/var/lib/att.db');
    expect(sqlitePath('sqlite::memory:')).toBe(':memory:');
  });

  it('refuses an unknown scheme', () => expect(() => dialectOf('oracle://x')).toThrow());
});

describe('PostgreSQL startup options', () => {
  it('turn JIT off and keep the operator’s PGOPTIONS after it (the later setting wins)', () => {
    expect(pgStartupOptions(undefined)).toBe('-c jit=off');
    expect(pgStartupOptions('  ')).toBe('-c jit=off');
    expect(pgStartupOptions('-c statement_timeout=5000 -c jit=on')).toBe(
      '-c jit=off -c statement_timeout=5000 -c jit=on',
    );
  });
});
