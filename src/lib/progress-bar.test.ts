import { describe, expect, it } from 'vitest';
import { formatBar, progressReporter } from './progress-bar.js';

const sink = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { chunks, out: { isTTY, write: (c: string) => chunks.push(c) } };
};

describe('progress bar', () => {
  it('draws the share done, the count and the unit', () => {
    expect(formatBar('import', 2_500, 10_000, 'rows')).toBe(
      `import [${'#'.repeat(8)}${'-'.repeat(22)}]  25% 2,500/10,000 rows`,
    );
    expect(formatBar('import', 0, 0, 'rows')).toContain('100%');
  });

  it('on a terminal redraws in place at most ten times a second and ends the line', () => {
    const { chunks, out } = sink(true);
    let clock = 0;
    const report = progressReporter('import', 'rows', out, () => clock);
    report(1, 100);
    report(2, 100); // same instant: skipped
    clock = 150;
    report(50, 100);
    report(100, 100); // the end is always written
    report(100, 100); // once
    expect(chunks).toHaveLength(3);
    expect(chunks.every((c) => c.startsWith('\r'))).toBe(true);
    expect(chunks.at(-1)).toMatch(/100% 100\/100 rows\n$/);
  });

  it('elsewhere writes plain lines, one a second at most, and the last one', () => {
    const { chunks, out } = sink(false);
    let clock = 0;
    const report = progressReporter('close-ended', 'sessions closed', out, () => clock);
    for (let i = 1; i <= 10; i++) {
      clock += 300;
      report(i, 10);
    }
    expect(chunks).toEqual([
      'close-ended: 1/10 sessions closed\n',
      'close-ended: 5/10 sessions closed\n',
      'close-ended: 9/10 sessions closed\n',
      'close-ended: 10/10 sessions closed\n',
    ]);
  });
});
