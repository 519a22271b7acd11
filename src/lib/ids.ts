/** UUIDv7: time-ordered, so new rows land at the end of B-tree indexes. */
import { randomUUID } from 'node:crypto';
import { v7 } from 'uuid';

export const newId = (): string => v7();

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID_RE.test(s);

/** Request ids need uniqueness, not order: the runtime's pooled v4 is several times cheaper than v7. */
export const newRequestId = (): string => randomUUID();
