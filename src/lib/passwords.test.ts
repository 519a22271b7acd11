import { describe, expect, it } from 'vitest';
import { createPasswordHasher, passwordProblems } from './passwords.js';

describe('password hasher', () => {
  const hasher = createPasswordHasher({ memoryKib: 1024, timeCost: 1, concurrency: 2 });

  it('hashes with Argon2id and verifies only the right password', async () => {
    const h = await hasher.hash('Right-Passw0rd');
    expect(h).toMatch(/^\$argon2id\$/);
    expect((await hasher.verify(h, 'Right-Passw0rd')).ok).toBe(true);
    expect((await hasher.verify(h, 'Wrong-Passw0rd')).ok).toBe(false);
    expect((await hasher.verify('not a hash', 'x')).ok).toBe(false);
  });

  it('finishes every one of many concurrent hashes (the concurrency limit queues, never drops)', async () => {
    const hashes = await Promise.all(Array.from({ length: 12 }, (_, i) => hasher.hash(`Pw-${i}-abcdef`)));
    expect(new Set(hashes).size).toBe(12);
  });

  it('refuses bcrypt passwords longer than 72 bytes instead of truncating them', async () => {
    const bcrypt = (await import('bcryptjs')).default;
    const long = 'A1-'.repeat(30);
    const h = await bcrypt.hash(long, 4);
    expect((await hasher.verify(h, long)).ok).toBe(false);
  });

  it.each([
    ['short1A', 8, 'at least 8'],
    ['alllowercase', 8, 'mix'],
    ['Mixed-enough1', 8, null],
  ])('policy for %s', (pw, min, problem) => {
    const p = passwordProblems(pw, min);
    if (problem === null) expect(p).toBeNull();
    else expect(p).toContain(problem);
  });
});
