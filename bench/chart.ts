/**
 * The results as an SVG written by hand (no browser, no library): one panel per chosen figure
 * family — delivery latency percentiles and fan-out throughput — floor and server side by side.
 */
import type { Row } from './load/context.load.js';

const COLORS = { floor: '#8a8f98', server: '#2f6fdf' };
const PANEL_W = 460;
const PANEL_H = 300;
const MARGIN = { top: 50, right: 20, bottom: 60, left: 70 };

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const fmt = (v: number) =>
  v >= 1000 ? Math.round(v).toLocaleString('en') : v >= 10 ? v.toFixed(0) : v.toFixed(1);

/** A "nice" axis maximum above `max`: 1, 2 or 5 times a power of ten. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= max)!;
}

interface Bar {
  label: string;
  floor: number;
  server: number;
}

function panel(x0: number, title: string, unit: string, bars: Bar[]): string {
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const top = niceMax(Math.max(...bars.flatMap((b) => [b.floor, b.server])));
  const y = (v: number) => MARGIN.top + h - (v / top) * h;
  const out: string[] = [`<g transform="translate(${x0},0)">`];
  out.push(
    `<text x="${PANEL_W / 2}" y="24" text-anchor="middle" font-size="14" font-weight="bold">${escape(title)}</text>`,
  );
  for (let i = 0; i <= 4; i++) {
    const v = (top / 4) * i;
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${fmt(v)}</text>`,
    );
  }
  out.push(
    `<text transform="translate(16,${MARGIN.top + h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escape(unit)}</text>`,
  );
  const slot = w / bars.length;
  const barW = Math.min(40, slot / 3);
  bars.forEach((b, i) => {
    const cx = MARGIN.left + slot * i + slot / 2;
    (['floor', 'server'] as const).forEach((kind, k) => {
      const v = b[kind];
      const x = cx - barW + k * barW;
      out.push(
        `<rect x="${x}" y="${y(v)}" width="${barW - 2}" height="${MARGIN.top + h - y(v)}" fill="${COLORS[kind]}"><title>${kind}: ${fmt(v)} ${escape(unit)}</title></rect>`,
        `<text x="${x + barW / 2 - 1}" y="${y(v) - 4}" text-anchor="middle" font-size="10">${fmt(v)}</text>`,
      );
    });
    out.push(
      `<text x="${cx}" y="${MARGIN.top + h + 18}" text-anchor="middle" font-size="12">${escape(b.label)}</text>`,
    );
  });
  out.push('</g>');
  return out.join('\n');
}

/** The SVG for a run's rows; panels without data are left out. */
export function chart(rows: readonly Row[], subtitle: string): string {
  const bars = (filter: (r: Row) => boolean, label: (r: Row) => string): Bar[] =>
    rows
      .filter((r) => filter(r) && r.floor !== null && r.server !== null)
      .map((r) => ({ label: label(r), floor: r.floor!, server: r.server! }));
  const panels: { title: string; unit: string; bars: Bar[] }[] = [
    {
      title: 'Delivery latency (open loop)',
      unit: 'ms',
      bars: bars(
        (r) => r.scenario.startsWith('delivery') && ['p50', 'p99', 'max'].includes(r.metric),
        (r) => r.metric,
      ),
    },
    {
      title: 'Fan-out throughput (closed loop)',
      unit: 'deliveries/s',
      bars: bars(
        (r) => r.scenario.startsWith('fan-out') && r.metric === 'deliveries/s',
        (r) => `group ${/group (\d+)/.exec(r.scenario)?.[1] ?? '?'}`,
      ),
    },
    {
      title: 'Idle connection cost',
      unit: 'KB RSS per connection',
      bars: bars(
        (r) => r.scenario.startsWith('idle') && r.metric === 'RSS per connection',
        () => 'per connection',
      ),
    },
  ].filter((p) => p.bars.length > 0);
  const width = Math.max(1, panels.length) * PANEL_W;
  const height = PANEL_H + 40;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.map((p, i) => panel(i * PANEL_W, p.title, p.unit, p.bars)),
    `<g font-size="12"><rect x="10" y="${PANEL_H + 14}" width="12" height="12" fill="${COLORS.floor}"/><text x="28" y="${PANEL_H + 24}">floor (ws + pg + ioredis, no framework)</text>`,
    `<rect x="290" y="${PANEL_H + 14}" width="12" height="12" fill="${COLORS.server}"/><text x="308" y="${PANEL_H + 24}">server (NestJS + GraphQL)</text>`,
    `<text x="${width - 10}" y="${PANEL_H + 24}" text-anchor="end" fill="#666">${escape(subtitle)}</text></g>`,
    '</svg>',
    '',
  ].join('\n');
}
