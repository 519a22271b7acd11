/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]` — self time of a V8 CPU profile by
 * function and by package, as the percentages BENCHMARKS.md quotes. Idle and GC are their own lines.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
const prof = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (const [i, id] of prof.samples.entries())
  selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const pkgOf = (url: string): string => {
  if (!url) return '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const d = /\/(dist|src)\/(.+)$/.exec(url);
  return d ? `app ${d[2]!.split('/').slice(0, -1).join('/') || '.'}` : url;
};
const fnKey = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url ? `${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|src)\//, '$1/')}:${n.callFrame.lineNumber + 1}` : ''}`;

const fns = new Map<string, number>();
const pkgs = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  const name = n.callFrame.functionName;
  const special = ['(idle)', '(garbage collector)', '(program)'].includes(name) ? name : undefined;
  fns.set(fnKey(n), (fns.get(fnKey(n)) ?? 0) + us);
  const p = special ?? pkgOf(n.callFrame.url);
  pkgs.set(p, (pkgs.get(p) ?? 0) + us);
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
const top = Number(topArg ?? 30);
console.log(`total ${(total / 1e6).toFixed(2)} s sampled`);
console.log('\nby package / area (self time)');
for (const [k, v] of [...pkgs].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(v)}  ${k}`);
console.log('\nby function (self time)');
for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
