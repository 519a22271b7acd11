export { type Fix, type GeoProblem, watchLocation } from '../../lib/geo';

import type { Fix } from '../../lib/geo';

export const metresFix = (f: Fix): number => Math.max(1, Math.round(f.accuracy));
