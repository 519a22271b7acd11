/** Report and export scenarios at growing data sizes. Filled in with the reports module. */
import type { DatabaseHandle } from '../../src/db/connection.js';
import type { BaseData } from '../lib/dataset.js';
import type { Row } from '../run.js';

export async function reportScenarios(_o: {
  engine: string;
  handle: DatabaseHandle;
  base: BaseData;
  quick: boolean;
  scenarios: string[];
  env: Record<string, string>;
}): Promise<Row[]> {
  return [
    { engine: _o.engine, scenario: 'reports', note: 'not yet measured: the reports module is not built' },
  ];
}
