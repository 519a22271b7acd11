import { describe, expect, it } from 'vitest';
import { checkSessionRules, type RuleBase, UNKNOWN } from './session-rules.js';
import type { UpdateSessionInput } from './sessions.schemas.js';
import type { CodeMode } from './sessions.table.js';

/** What the validator knows: a create (nothing stored) or an update (stored row unknown), no org zone. */
const validatorCreate: RuleBase = { stored: () => null, orgTimezone: UNKNOWN };
const validatorUpdate: RuleBase = { stored: () => UNKNOWN, orgTimezone: UNKNOWN };
/** What the service knows when it creates in an org of New York. */
const serviceCreate: RuleBase = { stored: () => null, orgTimezone: 'America/New_York' };
/** What the service knows when it updates a stored session of the given code mode (no code stored). */
const serviceUpdate = (mode: CodeMode): RuleBase => {
  const row: Partial<Record<string, unknown>> = { code_mode: mode, code: mode === 'static' ? 'OLD' : null };
  return { stored: (key) => (row[key] ?? null) as never, orgTimezone: 'UTC' };
};

const fields = (body: UpdateSessionInput, base: RuleBase) =>
  checkSessionRules(body, base)
    .errors.map((e) => e.field)
    .sort();

describe('checkSessionRules', () => {
  it.each<[string, UpdateSessionInput, RuleBase, string[]]>([
    [
      'naive times in an unknown zone still compare as wall clocks',
      { start_time: '2026-12-01T10:00', end_time: '2026-12-01T09:00' },
      validatorCreate,
      ['end_time'],
    ],
    [
      'a naive and an offset time cannot be compared without the zone',
      { start_time: '2026-12-01T10:00', end_time: '2026-12-01T09:00Z' },
      validatorCreate,
      [],
    ],
    [
      'the same pair with the org zone: 09:00Z is 04:00 in New York, before 10:00',
      { start_time: '2026-12-01T10:00', end_time: '2026-12-01T09:00Z' },
      serviceCreate,
      ['end_time'],
    ],
    [
      'a wrong zone does not hide times with an offset',
      { timezone: 'Mars/Base', start_time: '2026-12-01T10:00Z', end_time: '2026-12-01T09:00Z' },
      validatorCreate,
      ['end_time', 'timezone'],
    ],
    [
      'a DST gap is refused once the zone is known',
      { start_time: '2026-03-08T02:30', end_time: '2026-03-08T04:00' },
      serviceCreate,
      ['start_time'],
    ],
    ['create: a latitude alone lacks its longitude', { location_lat: 10 }, validatorCreate, ['location_lon']],
    ['update: the stored longitude may complete it', { location_lat: 10 }, validatorUpdate, []],
    [
      'update: a longitude cleared in the body does not',
      { location_lat: 10, location_lon: null },
      validatorUpdate,
      ['location_lon'],
    ],
    ['create: a radius needs a circle', { location_radius: 50 }, validatorCreate, ['location_radius']],
    ['update: the stored circle may carry a radius', { location_radius: 50 }, validatorUpdate, []],
    [
      'an alias that differs from its field',
      { latitude: 1, location_lat: 2, location_lon: 3 },
      validatorUpdate,
      ['latitude'],
    ],
    ['code_mode static without a code (create)', { code_mode: 'static' }, validatorCreate, ['code']],
    ['code_mode static: the stored code may do (update)', { code_mode: 'static' }, validatorUpdate, []],
    [
      'require_code false with a code mode',
      { code_mode: 'rotating', require_code: false },
      validatorUpdate,
      ['require_code'],
    ],
    ['a code given to a rotating session', { code: 'X1' }, serviceUpdate('rotating'), ['code']],
    [
      'a code given to a rotating session with require_code',
      { require_code: true, code: 'X1' },
      serviceUpdate('rotating'),
      ['code'],
    ],
    [
      'a code with code_mode static switches a rotating session',
      { code_mode: 'static', code: 'X1' },
      serviceUpdate('rotating'),
      [],
    ],
    ['update: the stored code mode is unknown to the validator', { code: 'X1' }, validatorUpdate, []],
    ['an alias names the error: a radius without a circle', { radius: 50 }, validatorCreate, ['radius']],
    [
      'an alias names the missing partner in its own spelling',
      { latitude: 10 },
      validatorCreate,
      ['longitude'],
    ],
    [
      'a coordinate the schema refused is still given: its partner is missing',
      {},
      { ...validatorCreate, refused: new Set(['location_lat']) },
      ['location_lon'],
    ],
    [
      'the same, sent as the alias',
      {},
      { ...validatorCreate, refused: new Set(['latitude']) },
      ['longitude'],
    ],
    [
      'a radius the schema refused is not judged again',
      {},
      { ...validatorCreate, refused: new Set(['radius']) },
      [],
    ],
  ])('%s', (_, body, base, expected) => {
    expect(fields(body, base)).toEqual(expected);
  });

  it.each<[string, UpdateSessionInput, RuleBase, CodeMode | typeof UNKNOWN]>([
    ['a code on a create means static', { code: 'X1' }, validatorCreate, 'static'],
    ['a code on a session without codes makes it static', { code: 'X1' }, serviceUpdate('none'), 'static'],
    ['a new code on a static session keeps it static', { code: 'X1' }, serviceUpdate('static'), 'static'],
    [
      'a code on a rotating session does not switch it',
      { code: 'X1' },
      serviceUpdate('rotating'),
      'rotating',
    ],
    ['update: unknown to the validator', { code: 'X1' }, validatorUpdate, UNKNOWN],
  ])('code mode: %s', (_, body, base, expected) => {
    expect(checkSessionRules(body, base).codeMode).toBe(expected);
  });

  it('leaves what it cannot know UNKNOWN, and settles it when it can', () => {
    const body = { start_time: '2026-12-01T09:00', end_time: '2026-12-01T10:00', location_lat: 1 };
    const v = checkSessionRules(body, validatorUpdate);
    expect([v.start, v.lon, v.codeMode]).toEqual([UNKNOWN, UNKNOWN, UNKNOWN]);
    const s = checkSessionRules({ ...body, location_lon: 2 }, serviceCreate);
    expect([s.start, s.end, s.lat, s.lon, s.codeMode]).toEqual([
      Date.parse('2026-12-01T14:00:00Z'),
      Date.parse('2026-12-01T15:00:00Z'),
      1,
      2,
      'none',
    ]);
  });
});
