/**
 * Progress of a long CLI job on stderr (stdout stays the one JSON line of the CLI's contract).
 * On a terminal: one bar redrawn in place, at most ten times a second. Elsewhere (cron mail, a log
 * file): one plain line a second at most, so a long job leaves a readable trail, not 10,000 lines.
 * The last state is always written.
 */
export interface ProgressOutput {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

const WIDTH = 30;

export function formatBar(label: string, done: number, total: number, unit: string): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * WIDTH);
  const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${pct} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit}`;
}

export function progressReporter(
  label: string,
  unit: string,
  out: ProgressOutput = process.stderr,
  now: () => number = Date.now,
): (done: number, total: number) => void {
  const tty = out.isTTY === true;
  const every = tty ? 100 : 1000;
  let last = -Infinity;
  let finished = false;
  return (done, total) => {
    const end = done >= total;
    if (finished || (!end && now() - last < every)) return;
    last = now();
    finished = end;
    if (tty) out.write(`\r${formatBar(label, done, total, unit)}${end ? '\n' : ''}`);
    else out.write(`${label}: ${done}/${total} ${unit}\n`);
  };
}
