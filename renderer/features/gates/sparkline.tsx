import type { GatePoint } from '../../../preload/contract.js';

const W = 240;
const H = 56;
const PAD = 4;

/**
 * The gate's value over two hours as an inline SVG line: no chart library for a few
 * dozen points, and nothing fetched from outside (the CSP allows none).
 */
export function Sparkline({ points, unit, paging, label }: { points: GatePoint[]; unit: 'count' | 'ratio'; paging: boolean; label: string }) {
  if (points.length < 2) return null;
  const max = Math.max(unit === 'ratio' ? 0.05 : 1, ...points.map((p) => p.value));
  const x = (i: number) => PAD + (i / (points.length - 1)) * (W - 2 * PAD);
  const y = (v: number) => H - PAD - (v / max) * (H - 2 * PAD);
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const area = `${line} L${x(points.length - 1).toFixed(1)},${H - PAD} L${PAD},${H - PAD} Z`;
  const last = points[points.length - 1]!;
  return (
    <svg className={`sparkline ${paging ? 'sparkline-paging' : ''}`} viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={label}>
      <line x1={PAD} x2={W - PAD} y1={H - PAD} y2={H - PAD} className="sparkline-axis" />
      <path d={area} className="sparkline-area" />
      <path d={line} className="sparkline-line" fill="none" />
      <circle cx={x(points.length - 1)} cy={y(last.value)} r={3} className="sparkline-dot" />
    </svg>
  );
}
