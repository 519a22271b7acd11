/** The attendance trend drawn by uPlot (its own chunk: only the dashboard downloads it). */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { percent } from '../../lib/format';

export function TrendChart({
  points,
  label,
}: {
  points: { t: number; rate: number | null }[];
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const css = getComputedStyle(document.documentElement);
    const line = css.getPropertyValue('--accent').trim() || '#1f5fbf';
    const ink = css.getPropertyValue('--muted').trim() || '#666';
    const plot = new uPlot(
      {
        width: el.clientWidth,
        height: 220,
        scales: { y: { range: [0, 1] } },
        legend: { show: false },
        axes: [
          { stroke: ink, grid: { stroke: 'rgba(127,127,127,.2)' } },
          {
            stroke: ink,
            grid: { stroke: 'rgba(127,127,127,.2)' },
            values: (_u, v) => v.map((x) => percent(x)),
          },
        ],
        series: [
          {},
          { label, stroke: line, width: 2, fill: `${line}22`, spanGaps: true, points: { size: 5 } },
        ],
      },
      [points.map((p) => p.t / 1000), points.map((p) => p.rate)],
      el,
    );
    const resize = () => plot.setSize({ width: el.clientWidth, height: 220 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [points, label]);
  const last = points.filter((p) => p.rate !== null).at(-1);
  return (
    <figure class="chart">
      <div ref={box} role="img" aria-label={`${label}: ${last ? percent(last.rate) : '—'}`} />
    </figure>
  );
}
