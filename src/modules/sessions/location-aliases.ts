/**
 * The original service's names for a session's circle: `latitude`, `longitude`, `radius` (API.md
 * "Clients written for the original"). They are folded into location_lat/location_lon/location_radius
 * before any rule runs; sending both spellings with different values is a 400 naming the alias.
 */
import type { FieldError } from '../../lib/errors.js';

export const ALIASES = [
  ['latitude', 'location_lat'],
  ['longitude', 'location_lon'],
  ['radius', 'location_radius'],
] as const;

type AliasedBody = {
  latitude?: number | null;
  longitude?: number | null;
  radius?: number | null;
  location_lat?: number | null;
  location_lon?: number | null;
  location_radius?: number | null;
};

type Canonical = (typeof ALIASES)[number][1];

/**
 * The body with aliases moved onto the canonical fields (aliases removed), any conflicts, and the
 * canonical fields whose value came from an alias (a rule's error then names the field as sent).
 */
export function foldLocationAliases<B extends AliasedBody>(
  body: B,
): { body: B; errors: FieldError[]; fromAlias: ReadonlySet<Canonical> } {
  const errors: FieldError[] = [];
  const fromAlias = new Set<Canonical>();
  const out: B = { ...body };
  for (const [alias, canonical] of ALIASES) {
    const value = body[alias];
    if (value === undefined) continue;
    delete out[alias];
    if (body[canonical] !== undefined && body[canonical] !== value) {
      errors.push({ field: alias, message: `differs from ${canonical}; send one of them` });
      continue;
    }
    out[canonical] = value;
    if (body[canonical] === undefined) fromAlias.add(canonical);
  }
  return { body: out, errors, fromAlias };
}

/** The alias of a canonical field. */
export const aliasOf = (canonical: Canonical): string => ALIASES.find(([, c]) => c === canonical)![0];
