import { formatDuration } from '@ecs-ship/shared/duration';
import {
  details,
  escapeText,
  heading,
  mermaid,
  paragraph,
  table,
  type SummaryBlock,
} from '@ecs-ship/shared/summary';
import { describeTolerance } from './engine/tolerance.js';
import type { MetricSpec } from './engine/types.js';
import { formatChange, formatInterval, formatValue, labelOf } from './engine/explain.js';
import type { GateOutcome, TimelineEntry } from './gate-loop.js';
import { periodLabel } from './periods.js';

const TITLES: Record<string, string> = {
  promote: '✅ promote',
  rollback: '⏪ roll back',
  inconclusive: '⚠️ inconclusive',
};

export interface SummaryInput {
  outcome: GateOutcome;
  specs: MetricSpec[];
  mode: 'live' | 'replay';
  deploymentArn?: string;
  region?: string;
}

/** What a person paged at 3 a.m. reads first: the decision, why, and the numbers behind it. */
export function buildSummary({ outcome, specs, mode, deploymentArn }: SummaryInput): SummaryBlock[] {
  const blocks: SummaryBlock[] = [
    heading(
      `Canary gate: ${TITLES[outcome.decision] ?? outcome.decision}${mode === 'replay' ? ' (replay)' : ''}`,
    ),
    paragraph(`**${escapeText(outcome.reason)}**`),
    ...verdictLine(outcome, specs),
    paragraph(
      [
        `Decided after ${formatDuration(outcome.elapsedMs)}${mode === 'replay' ? ' of replayed time' : ''} and ${outcome.timeline.length} period(s);`,
        `canary served ${outcome.state.canaryRequests.toLocaleString('en-US')} requests.`,
        `Rule: \`${outcome.rule}\`.`,
        deploymentArn
          ? `Deployment \`${deploymentArn}\`${outcome.deploymentStatus ? ` is ${outcome.deploymentStatus}` : ''}.`
          : '',
      ]
        .filter(Boolean)
        .join(' '),
    ),
    table(
      [
        'Metric',
        'Baseline',
        'Canary',
        'Effect',
        'Interval',
        'Samples',
        'Status',
        'Rule',
        'Critical tolerance',
      ],
      // The same words as the reason above: rates as ×ratio, levels as ±percent.
      specs.flatMap((spec) => {
        const metric = outcome.state.metrics.find((entry) => entry.name === spec.name);
        if (!metric) return [];
        return [
          [
            `${labelOf(spec)}${metric.critical ? '' : ' (non-critical)'}`,
            formatValue(spec, metric.baselineValue),
            formatValue(spec, metric.canaryValue),
            metric.effect === null ? '—' : formatChange(spec, metric.effect),
            metric.interval ? formatInterval(spec, metric.interval).replace(/^interval /, '') : '—',
            metric.kind === 'rate'
              ? `${metric.samples.canaryRequests.toLocaleString('en-US')} / ${metric.samples.baselineRequests.toLocaleString('en-US')} req`
              : `${metric.samples.periods} periods`,
            metric.status,
            metric.rule,
            spec.criticalTolerance
              ? `${metric.bounded ? 'ruled out' : 'not ruled out'}: +${describeTolerance(spec.criticalTolerance, spec.kind, spec.unit)}`
              : '—',
          ],
        ];
      }),
      ['left', 'right', 'right', 'right', 'left', 'right', 'left', 'left', 'left'],
    ),
  ];
  if (outcome.triggeredAlarms.length > 0) {
    blocks.push(
      table(
        ['Alarm', 'State', 'Reason'],
        outcome.triggeredAlarms.map((alarm) => [alarm.name, alarm.state, escapeText(alarm.reason ?? '')]),
      ),
    );
  }
  for (const warning of outcome.state.warnings) blocks.push(paragraph(`⚠️ ${escapeText(warning)}`));
  for (const spec of specs) {
    const chart = chartFor(spec, outcome.timeline);
    if (chart) blocks.push(chart);
  }
  if (outcome.actions.length > 0)
    blocks.push(paragraph(`Actions on the deployment: ${outcome.actions.join('; ')}.`));
  blocks.push(
    details('Period by period', [
      table(
        ['Period', 'Canary req', 'Baseline req', 'Leaning'],
        outcome.timeline.map((entry) => [
          periodLabel(entry.periodStart),
          String(entry.canaryRequests),
          String(entry.baselineRequests),
          escapeText(entry.decision === 'continue' ? entry.leaning : entry.decision),
        ]),
      ),
    ]),
  );
  return blocks;
}

/**
 * Which kind of promotion it was, or what the evidence established when there was none: "proven
 * within tolerance" is a different promise from "no regression seen; worse than ×2 ruled out".
 */
function verdictLine(outcome: GateOutcome, specs: MetricSpec[]): SummaryBlock[] {
  const lookback =
    outcome.lookbackPeriods && outcome.lookbackPeriods > 0
      ? ` The baseline's noise was learnt from ${outcome.lookbackPeriods} period(s) before the canary (lookback).`
      : '';
  const critical = outcome.state.metrics.filter((metric) => metric.critical);
  const ruledOut = specs
    .filter((spec) => spec.criticalTolerance && critical.some((m) => m.name === spec.name && m.bounded))
    .map(
      (spec) =>
        `${labelOf(spec)} worse than +${describeTolerance(spec.criticalTolerance ?? {}, spec.kind, spec.unit)}`,
    );
  let text: string;
  if (outcome.decision === 'promote' && outcome.rule === 'within-tolerance') {
    text = 'Verdict: proven within tolerance.';
  } else if (outcome.decision === 'promote' && outcome.rule === 'bounded') {
    text = `Verdict: no regression seen; ruled out ${ruledOut.join(' and ')} (not proven within tolerance).`;
  } else if (outcome.decision === 'promote') {
    text = `Verdict: promoted by rule ${outcome.rule}, not by the evidence.`;
  } else if (ruledOut.length > 0) {
    text = `Established so far: ruled out ${ruledOut.join(' and ')}.`;
  } else {
    text = '';
  }
  return text || lookback ? [paragraph(escapeText(`${text}${lookback}`.trim()))] : [];
}

/** Points a chart can show legibly; longer runs are drawn in buckets of consecutive periods. */
const MAX_CHART_POINTS = 60;

/**
 * Canary against baseline over time, in the unit a person reads. Periods where either arm has no
 * value (a latency gap, no requests) are left out rather than drawn as zero.
 */
export function chartFor(spec: MetricSpec, timeline: readonly TimelineEntry[]): SummaryBlock | undefined {
  const scale = spec.kind === 'rate' ? 100 : spec.unit === 'seconds' ? 1000 : 1;
  const unit = spec.kind === 'rate' ? '%' : spec.unit === 'seconds' ? 'ms' : '';
  const usable = timeline.filter((entry) => {
    const value = entry.values[spec.name];
    return spec.kind === 'rate'
      ? entry.canaryRequests > 0 && entry.baselineRequests > 0
      : value?.canary !== undefined && value.baseline !== undefined;
  });
  const size = Math.max(1, Math.ceil(usable.length / MAX_CHART_POINTS));
  const buckets: TimelineEntry[][] = [];
  for (let index = 0; index < usable.length; index += size) buckets.push(usable.slice(index, index + size));
  if (buckets.length < 2) return undefined;
  const point = (bucket: TimelineEntry[], arm: 'canary' | 'baseline'): number => {
    const values = bucket.map((entry) => entry.values[spec.name]?.[arm] ?? 0);
    if (spec.kind !== 'rate')
      return round((values.reduce((sum, value) => sum + value, 0) / values.length) * scale, 1);
    const requests = bucket.reduce(
      (sum, entry) => sum + (arm === 'canary' ? entry.canaryRequests : entry.baselineRequests),
      0,
    );
    return round((values.reduce((sum, value) => sum + value, 0) / requests) * scale, 3);
  };
  const labels = buckets.map((bucket) => `"${periodLabel(bucket[0]?.periodStart ?? 0)}"`);
  return mermaid(
    [
      'xychart-beta',
      `  title "${(spec.label ?? spec.name).replace(/"/g, "'")}${unit ? ` (${unit})` : ''}: baseline (first line) vs canary (second)"`,
      `  x-axis [${labels.join(', ')}]`,
      `  y-axis "${unit || 'value'}"`,
      `  line [${buckets.map((bucket) => point(bucket, 'baseline')).join(', ')}]`,
      `  line [${buckets.map((bucket) => point(bucket, 'canary')).join(', ')}]`,
    ].join('\n'),
  );
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
