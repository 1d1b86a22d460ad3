// The rehearsal's index.html: one self-contained page (inline style, inline SVG charts, the one
// script beside it in assets/), so it opens from the run's directory with no network at all.
import { escapeHtml } from './escape-html.js';
import { renderSummaryMarkdown } from './markdown.js';
import type { RehearsalReport, ReportCall, ReportStep, ReportTrafficMinute } from './report-data.js';
import { seriesColour, timelineSvg } from './timeline-svg.js';

const STYLE = `
:root { color-scheme: light; --muted: #5b6470; --line: #d8dde3; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 20px 60px; color: #1d232a; }
h1 { margin: 24px 0 8px; font-size: 26px; }
h2 { margin-top: 40px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
header dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
header dt { color: var(--muted); }
header dd { margin: 0; }
.status { display: inline-block; padding: 0 8px; border-radius: 10px; font-weight: 600; color: #fff; background: #5b6470; }
.status-success { background: #2e7d32; }
.status-rolled-back { background: #b26a00; }
.status-failed, .status-failure { background: #c62828; }
.status-skipped, .status-cancelled { background: #8a929b; }
figure { margin: 16px 0 28px; }
figcaption { font-weight: 600; }
.timeline-chart { display: block; max-width: 100%; height: auto; font-size: 12px; }
.timeline-chart .tick { fill: var(--muted); }
.timeline-chart .empty { fill: var(--muted); font-size: 15px; }
.timeline-chart .marker-label { font-size: 12px; }
.legend { list-style: none; padding: 0; margin: 4px 0 0; display: flex; flex-wrap: wrap; gap: 4px 20px; font-size: 13px; }
.legend .swatch { display: inline-block; width: 14px; height: 4px; vertical-align: middle; margin-right: 6px; }
.legend .marker-key { display: inline-block; width: 0; height: 12px; vertical-align: middle; margin-right: 6px; border-left: 2px dashed; }
.muted, .step .when { color: var(--muted); }
ol.toc { columns: 2; font-size: 13px; }
.step { border: 1px solid var(--line); border-radius: 6px; padding: 0 16px 8px; margin: 16px 0; }
.step h3 { margin: 12px 0 0; font-size: 17px; }
.step .when { font-size: 13px; margin: 0 0 8px; }
.summary h1, .summary h2 { font-size: 18px; border: 0; margin: 14px 0 6px; padding: 0; }
.summary h3, .summary h4 { font-size: 15px; margin: 12px 0 4px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
pre { background: #f5f7f9; padding: 8px; overflow-x: auto; }
pre.mermaid { background: none; text-align: center; }
details { margin: 8px 0; }
summary { cursor: pointer; }
`;

/**
 * mermaid draws the summaries' diagrams once the page has loaded; the body's data attributes tell a
 * headless browser (browser-check.ts) when it is done and how many diagrams it could not draw.
 */
const MERMAID_SCRIPT = `
(function () {
  var body = document.body;
  function finish(failure) {
    var failed = 0;
    document.querySelectorAll('pre.mermaid').forEach(function (node) {
      // A diagram mermaid could not parse gets its error picture instead, marked as such.
      if (!node.querySelector('svg') || node.querySelector('svg[aria-roledescription="error"]')) failed += 1;
    });
    if (failure && failed === 0) failed = 1;
    body.dataset.mermaidErrors = String(failed);
    if (failure) body.dataset.mermaidError = String((failure && failure.message) || failure);
    body.dataset.mermaid = 'done';
  }
  if (typeof mermaid === 'undefined') return finish(new Error('assets/mermaid.min.js did not load'));
  try {
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    mermaid.run({ querySelector: 'pre.mermaid' }).then(function () { finish(); }, finish);
  } catch (error) {
    finish(error);
  }
})();
`;

/** Simulated epoch ms as an ISO time, to the second (the simulated clock's own resolution). */
function isoTime(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function clockTime(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A target group ARN's name (…:targetgroup/NAME/id), the part a reader recognises. */
function targetGroupName(targetGroup: string): string {
  return /targetgroup\/([^/]+)/.exec(targetGroup)?.[1] ?? targetGroup;
}

function statusBadge(status: string): string {
  const slug = status.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return `<span class="status status-${slug}">${escapeHtml(status)}</span>`;
}

/** The environments in the order the run met them (series, then markers, traffic, calls). */
function environmentsOf(report: RehearsalReport): string[] {
  const names = [
    ...report.series.map((series) => series.environment),
    ...report.markers.map((marker) => marker.environment),
    ...report.traffic.map((minute) => minute.environment),
    ...report.calls.flatMap((call) => (call.environment ? [call.environment] : [])),
  ];
  return [...new Set(names)];
}

function header(report: RehearsalReport): string {
  const rows: Array<[string, string]> = [
    ['Run', escapeHtml(report.run)],
    ['Mode', escapeHtml(report.mode)],
    ['Outcome', `${statusBadge(report.outcome.status)} ${escapeHtml(report.outcome.sentence)}`],
    ['Simulated start', `<time datetime="${isoTime(report.startedAt)}">${isoTime(report.startedAt)}</time>`],
    [
      'Simulated end',
      `<time datetime="${isoTime(report.endedAt)}">${isoTime(report.endedAt)}</time> ` +
        `<span class="muted">(${duration(report.endedAt - report.startedAt)} simulated)</span>`,
    ],
    ['Rate', `${escapeHtml(String(report.rate))}× <span class="muted">(simulated ms per real ms)</span>`],
  ];
  return (
    `<header><h1>${escapeHtml(report.title)}</h1><dl>` +
    rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('') +
    `</dl></header>`
  );
}

function timelineSection(report: RehearsalReport): string {
  const environments = environmentsOf(report);
  const figures = environments.map((environment) => {
    const series = report.series.filter((entry) => entry.environment === environment);
    const markers = report.markers.filter((marker) => marker.environment === environment);
    const legend = series.map(
      (entry, index) =>
        `<li><span class="swatch" style="background:${seriesColour(index)}"></span>${escapeHtml(entry.revision)} ` +
        `<span class="muted">${escapeHtml(entry.service)} · ${escapeHtml(targetGroupName(entry.targetGroup))}</span></li>`,
    );
    const kinds = [...new Set(markers.map((marker) => marker.kind))];
    const keys = kinds.map(
      (kind) => `<li><span class="marker-key" style="border-color:${markerColour(kind)}"></span>${kind}</li>`,
    );
    return (
      `<figure><figcaption>${escapeHtml(environment)}</figcaption>` +
      timelineSvg({ environment, series, markers, start: report.startedAt, end: report.endedAt }) +
      (legend.length + keys.length > 0 ? `<ul class="legend">${[...legend, ...keys].join('')}</ul>` : '') +
      `</figure>`
    );
  });
  return (
    `<section id="timeline"><h2>Timeline</h2>` +
    `<p class="muted">Share of each environment's production traffic per task definition revision, over simulated time (UTC).</p>` +
    (figures.length > 0 ? figures.join('') : '<p>No environment was deployed to.</p>') +
    `</section>`
  );
}

function markerColour(kind: string): string {
  return kind === 'rollback' ? '#c62828' : kind === 'approval' ? '#2e7d32' : '#1f4e9c';
}

function stepAnchor(step: ReportStep): string {
  return `step-${step.index}`;
}

function stepSection(step: ReportStep): string {
  const title = `${step.workflow} / ${step.job} / ${step.step}`;
  return (
    `<section class="step" id="${stepAnchor(step)}">` +
    `<h3>${step.index}. ${escapeHtml(title)} ${statusBadge(step.conclusion)}</h3>` +
    `<p class="when"><time datetime="${isoTime(step.startedAt)}">${clockTime(step.startedAt)}</time> – ` +
    `<time datetime="${isoTime(step.endedAt)}">${clockTime(step.endedAt)}</time> simulated ` +
    `(${duration(step.endedAt - step.startedAt)}) · <a href="${escapeHtml(step.summaryFile)}">${escapeHtml(step.summaryFile)}</a></p>` +
    `<div class="summary">${renderSummaryMarkdown(step.summary)}</div></section>`
  );
}

function stepsSection(report: RehearsalReport): string {
  if (report.steps.length === 0)
    return `<section id="steps"><h2>Steps</h2><p>No step wrote a job summary.</p></section>`;
  const toc = report.steps
    .map(
      (step) =>
        `<li value="${step.index}"><a href="#${stepAnchor(step)}">${escapeHtml(`${step.workflow} / ${step.job} / ${step.step}`)}</a> ` +
        `<span class="muted">${escapeHtml(step.conclusion)}</span></li>`,
    )
    .join('');
  return `<section id="steps"><h2>Steps</h2><ol class="toc">${toc}</ol>${report.steps.map(stepSection).join('')}</section>`;
}

function trafficRows(minutes: ReportTrafficMinute[]): string {
  return [...minutes]
    .sort((a, b) => a.periodStart - b.periodStart || a.targetGroup.localeCompare(b.targetGroup))
    .map(
      (minute) =>
        `<tr><td>${clockTime(minute.periodStart)}</td><td>${escapeHtml(targetGroupName(minute.targetGroup))}</td>` +
        `<td class="number">${minute.requests}</td><td class="number">${minute.target5xx}</td>` +
        `<td class="number">${minute.latencyAvgMs.toFixed(1)}</td></tr>`,
    )
    .join('');
}

function trafficSection(report: RehearsalReport): string {
  const environments = [...new Set(report.traffic.map((minute) => minute.environment))];
  const tables = environments.map((environment) => {
    const minutes = report.traffic.filter((minute) => minute.environment === environment);
    const requests = minutes.reduce((sum, minute) => sum + minute.requests, 0);
    const errors = minutes.reduce((sum, minute) => sum + minute.target5xx, 0);
    return (
      `<details open><summary><strong>${escapeHtml(environment)}</strong> — ${minutes.length} target group minutes, ` +
      `${requests} requests, ${errors} target 5xx</summary>` +
      `<table><thead><tr><th>Minute (UTC)</th><th>Target group</th><th>Requests</th><th>Target 5xx</th><th>Avg latency (ms)</th></tr></thead>` +
      `<tbody>${trafficRows(minutes)}</tbody></table></details>`
    );
  });
  return (
    `<section id="traffic"><h2>Traffic</h2>` +
    `<p class="muted">The local load balancer's minutes, as published to CloudWatch.</p>` +
    (tables.length > 0 ? tables.join('') : '<p>No request reached a load balancer.</p>') +
    `</section>`
  );
}

function callsSection(calls: ReportCall[]): string {
  const counts = new Map<string, { call: ReportCall; count: number }>();
  for (const call of calls) {
    const key = JSON.stringify([call.service, call.operation, call.status]);
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else counts.set(key, { call, count: 1 });
  }
  const rows = [...counts.values()]
    .sort(
      (a, b) =>
        a.call.service.localeCompare(b.call.service) ||
        a.call.operation.localeCompare(b.call.operation) ||
        a.call.status - b.call.status,
    )
    .map(
      ({ call, count }) =>
        `<tr><td>${escapeHtml(call.service)}</td><td>${escapeHtml(call.operation)}</td>` +
        `<td class="number">${call.status}</td><td class="number">${count}</td>` +
        `<td>${call.error ? escapeHtml(call.error) : ''}</td></tr>`,
    )
    .join('');
  return (
    `<section id="calls"><h2>Calls</h2>` +
    `<p>${calls.length} requests to the local AWS; every one, in order, in <a href="calls.json">calls.json</a>.</p>` +
    (rows
      ? `<table><thead><tr><th>Service</th><th>Operation</th><th>Status</th><th>Count</th><th>First error</th></tr></thead><tbody>${rows}</tbody></table>`
      : '') +
    `</section>`
  );
}

export function reportHtml(report: RehearsalReport): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)} — ${escapeHtml(report.run)}</title>
<style>${STYLE}</style>
</head>
<body>
${header(report)}
<main>
${timelineSection(report)}
${stepsSection(report)}
${trafficSection(report)}
${callsSection(report.calls)}
</main>
<script src="assets/mermaid.min.js"></script>
<script>${MERMAID_SCRIPT}</script>
</body>
</html>
`;
}
