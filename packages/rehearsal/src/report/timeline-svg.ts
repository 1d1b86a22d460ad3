// One environment's production traffic over simulated time, as an inline SVG drawn here rather than
// by a charting library: the report must open offline from a directory, and a step line per
// revision with a few vertical markers is all it shows.
import { escapeHtml } from './escape-html.js';
import type { ReportMarker, ReportSeries } from './report-data.js';

const WIDTH = 960;
const HEIGHT = 280;
/** The top margin holds the markers' labels, three rows of them so neighbours do not overlap. */
const MARGIN = { top: 58, right: 20, bottom: 30, left: 46 };
const LABEL_ROWS = 3;
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;

/** Distinguishable on white and for the common colour blindnesses (Okabe–Ito). */
export const SERIES_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'];

const MARKER_STYLE: Record<ReportMarker['kind'], { stroke: string; dash: string; width: number }> = {
  approval: { stroke: '#2e7d32', dash: '2 3', width: 1.5 },
  decision: { stroke: '#1f4e9c', dash: '6 3', width: 1.5 },
  rollback: { stroke: '#c62828', dash: '', width: 2.5 },
};

/** Tick spacings to choose from, the first giving at most eight ticks wins. */
const TICK_STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map(
  (seconds) => seconds * 1000,
);

export interface TimelineInput {
  environment: string;
  series: ReportSeries[];
  markers: ReportMarker[];
  /**
   * The run's simulated span. Every environment's chart covers all of it (and any point outside it),
   * so the charts, one above the other, line up in time.
   */
  start: number;
  end: number;
}

/** The colour a series is drawn in, by its place among its environment's series. */
export function seriesColour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length] ?? '#000';
}

/** A simulated epoch ms as the clock time on the axis (UTC, as the rest of the report). */
function clockTime(at: number, withSeconds: boolean): string {
  const iso = new Date(at).toISOString();
  return withSeconds ? iso.slice(11, 19) : iso.slice(11, 16);
}

function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export function timelineSvg(input: TimelineInput): string {
  const times = [
    ...input.series.flatMap((series) => series.points.map((point) => point.at)),
    ...input.markers.map((marker) => marker.at),
  ];
  const t0 = Math.min(input.start, ...times);
  let t1 = Math.max(input.end, ...times);
  if (t1 <= t0) t1 = t0 + 60_000;
  const x = (at: number) => MARGIN.left + ((at - t0) / (t1 - t0)) * PLOT_WIDTH;
  const y = (percent: number) => MARGIN.top + (1 - Math.min(100, Math.max(0, percent)) / 100) * PLOT_HEIGHT;
  const bottom = MARGIN.top + PLOT_HEIGHT;
  const right = MARGIN.left + PLOT_WIDTH;
  const parts: string[] = [];

  // Grid and y axis: 0..100 % of the production listener's traffic.
  for (const percent of [0, 25, 50, 75, 100]) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${right}" y1="${round(y(percent))}" y2="${round(y(percent))}" stroke="#e3e6ea"/>`,
      `<text x="${MARGIN.left - 6}" y="${round(y(percent) + 4)}" text-anchor="end" class="tick">${percent}%</text>`,
    );
  }
  // x axis: simulated clock time.
  const step = TICK_STEPS.find((candidate) => (t1 - t0) / candidate <= 8) ?? 86_400_000;
  for (let at = Math.ceil(t0 / step) * step; at <= t1; at += step) {
    parts.push(
      `<line x1="${round(x(at))}" x2="${round(x(at))}" y1="${bottom}" y2="${bottom + 4}" stroke="#8a929b"/>`,
      `<text x="${round(x(at))}" y="${bottom + 17}" text-anchor="middle" class="tick">${clockTime(at, step < 60_000)}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#8a929b"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}" stroke="#8a929b"/>`,
  );

  // One step line per revision: each point's share holds until the next point, the last until the end.
  input.series.forEach((series, index) => {
    const points = [...series.points].sort((a, b) => a.at - b.at);
    const first = points[0];
    if (!first) return;
    let d = `M${round(x(first.at))} ${round(y(first.percent))}`;
    for (const point of points.slice(1)) d += ` H${round(x(point.at))} V${round(y(point.percent))}`;
    d += ` H${round(right)}`;
    parts.push(
      `<path d="${d}" fill="none" stroke="${seriesColour(index)}" stroke-width="2.5" stroke-linejoin="round" class="series">` +
        `<title>${escapeHtml(series.revision)}</title></path>`,
    );
  });

  if (input.series.length === 0)
    parts.push(
      `<text x="${MARGIN.left + PLOT_WIDTH / 2}" y="${MARGIN.top + PLOT_HEIGHT / 2}" text-anchor="middle" class="empty">` +
        `no traffic recorded in ${escapeHtml(input.environment)}</text>`,
    );

  // Markers: a vertical line each, the label above the plot, rows taken in turn.
  [...input.markers]
    .sort((a, b) => a.at - b.at)
    .forEach((marker, index) => {
      const style = MARKER_STYLE[marker.kind];
      const at = x(marker.at);
      const labelY = MARGIN.top - 8 - (index % LABEL_ROWS) * 16;
      const anchorEnd = at > MARGIN.left + PLOT_WIDTH * 0.75;
      const label = marker.label.length > 48 ? `${marker.label.slice(0, 47)}…` : marker.label;
      parts.push(
        `<g class="marker marker-${marker.kind}"><title>${escapeHtml(`${marker.kind} at ${clockTime(marker.at, true)}: ${marker.label}`)}</title>` +
          `<line x1="${round(at)}" x2="${round(at)}" y1="${labelY + 3}" y2="${bottom}" stroke="${style.stroke}" stroke-width="${style.width}"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>` +
          `<text x="${round(anchorEnd ? at - 3 : at + 3)}" y="${labelY}" text-anchor="${anchorEnd ? 'end' : 'start'}" fill="${style.stroke}" class="marker-label">${escapeHtml(label)}</text></g>`,
      );
    });

  const description = `Production traffic share per revision in ${input.environment} over simulated time`;
  return (
    `<svg class="timeline-chart" data-environment="${escapeHtml(input.environment)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `width="100%" role="img" aria-label="${escapeHtml(description)}">` +
    `<title>${escapeHtml(description)}</title>${parts.join('')}</svg>`
  );
}
