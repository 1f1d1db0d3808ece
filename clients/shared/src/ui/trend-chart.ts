// Loaded on demand (dynamic import): uPlot stays out of the apps' initial bundles.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Point {
  recordedAt: string;
  total: number;
}

export function drawTrend(el: HTMLElement, points: Point[], width: number, labels: { y: string }): () => void {
  const xs = points.map((p) => Date.parse(p.recordedAt) / 1000);
  const ys = points.map((p) => p.total);
  const plot = new uPlot(
    {
      width,
      height: 200,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { y: { range: [0, Math.max(8, ...ys) + 1] } },
      axes: [{}, { label: labels.y }],
      series: [
        {},
        { label: labels.y, stroke: '#0b5cad', width: 2, points: { show: true, size: 7, fill: '#0b5cad' } },
      ],
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Europe/Copenhagen'),
    },
    [xs, ys],
    el,
  );
  return () => plot.destroy();
}
