/** Engine-independent reading of driver errors. */

interface DriverError {
  code?: string | number;
  errno?: number;
}

/** A UNIQUE or PRIMARY KEY constraint refused the write (SQLite, PostgreSQL 23505, MySQL 1062). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as DriverError | null;
  if (!e || typeof e !== 'object') return false;
  return (
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e.code === '23505' ||
    e.code === 'ER_DUP_ENTRY' ||
    e.errno === 1062
  );
}

/** A FOREIGN KEY constraint refused the write (SQLite, PostgreSQL 23503, MySQL 1451/1452). */
export function isForeignKeyViolation(err: unknown): boolean {
  const e = err as DriverError | null;
  if (!e || typeof e !== 'object') return false;
  return (
    e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || e.code === '23503' || e.errno === 1451 || e.errno === 1452
  );
}

/** The database cannot be reached or is shutting down: the request may succeed later (503). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as (DriverError & { message?: string }) | null;
  if (!e || typeof e !== 'object') return false;
  const code = String(e.code ?? '');
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'PROTOCOL_CONNECTION_LOST'].includes(
      code,
    ) ||
    code === 'SQLITE_BUSY' ||
    code.startsWith('57P') || // PostgreSQL admin shutdown / cannot connect now
    code.startsWith('08') || // PostgreSQL connection exceptions
    /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(
      e.message ?? '',
    )
  );
}
