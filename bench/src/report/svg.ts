/** A line chart of p99 latency (log scale) against offered load, one line per server; hand-written SVG. */
export interface Series {
  label: string;
  color: string;
  /** Offered rate, p99 ms, and whether the probe passed (no loss, p99 within bound). */
  points: Array<{ x: number; y: number; pass: boolean }>;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** A horizontal reference line (the p99 bound). */
  bound?: { y: number; label: string };
}

const W = 780;
const H = 440;
const M = { left: 70, right: 20, top: 40, bottom: 55 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const n = raw / power;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * power;
}

export function lineChart(series: Series[], options: ChartOptions): string {
  const points = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...points.map((p) => p.x)) * 1.05;
  const ys = points.map((p) => Math.max(p.y, 0.1));
  if (options.bound) ys.push(options.bound.y);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys, 1)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys, 10)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number): number => M.left + (x / xMax) * pw;
  const sy = (y: number): number => M.top + ph - ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(options.title)}</text>`);
  // Grid and axes.
  const xStep = niceStep(xMax, 8);
  for (let x = 0; x <= xMax; x += xStep) {
    out.push(`<line x1="${sx(x)}" y1="${M.top}" x2="${sx(x)}" y2="${M.top + ph}" stroke="#eeeeee"/>`);
    out.push(`<text x="${sx(x)}" y="${M.top + ph + 18}" text-anchor="middle">${Math.round(x).toLocaleString('en-US')}</text>`);
  }
  for (let decade = yMin; decade <= yMax; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const y = decade * m;
      if (y > yMax) break;
      out.push(`<line x1="${M.left}" y1="${sy(y)}" x2="${M.left + pw}" y2="${sy(y)}" stroke="${m === 1 ? '#dddddd' : '#f3f3f3'}"/>`);
      out.push(`<text x="${M.left - 6}" y="${sy(y) + 4}" text-anchor="end">${y >= 1 ? y.toLocaleString('en-US') : y}</text>`);
    }
  }
  out.push(`<line x1="${M.left}" y1="${M.top + ph}" x2="${M.left + pw}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(options.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`);
  if (options.bound) {
    const y = sy(options.bound.y);
    out.push(`<line x1="${M.left}" y1="${y}" x2="${M.left + pw}" y2="${y}" stroke="#888" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${M.left + pw - 4}" y="${y - 5}" text-anchor="end" fill="#555">${esc(options.bound.label)}</text>`);
  }
  // Series.
  series.forEach((s, i) => {
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    if (sorted.length > 1) {
      const d = sorted.map((p, j) => `${j ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    }
    for (const p of sorted) {
      const cx = sx(p.x).toFixed(1);
      const cy = sy(p.y).toFixed(1);
      out.push(
        p.pass
          ? `<circle cx="${cx}" cy="${cy}" r="4" fill="${s.color}"/>`
          : `<circle cx="${cx}" cy="${cy}" r="4.5" fill="#ffffff" stroke="${s.color}" stroke-width="2"/>`,
      );
    }
    const ly = M.top + 14 + i * 18;
    out.push(`<line x1="${M.left + 12}" y1="${ly - 4}" x2="${M.left + 36}" y2="${ly - 4}" stroke="${s.color}" stroke-width="3"/>`);
    out.push(`<text x="${M.left + 42}" y="${ly}">${esc(s.label)}</text>`);
  });
  const ly = M.top + 14 + series.length * 18;
  out.push(`<circle cx="${M.left + 24}" cy="${ly - 4}" r="4" fill="#555"/><text x="${M.left + 42}" y="${ly}">no loss, p99 within bound</text>`);
  out.push(`<circle cx="${M.left + 24}" cy="${ly + 14}" r="4.5" fill="#fff" stroke="#555" stroke-width="2"/><text x="${M.left + 42}" y="${ly + 18}">loss or p99 over bound</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
