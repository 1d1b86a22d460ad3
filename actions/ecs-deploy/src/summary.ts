import { formatDuration } from '@ecs-ship/shared/duration';
import {
  escapeText,
  heading,
  inlineCode,
  list,
  paragraph,
  table,
  type SummaryBlock,
} from '@ecs-ship/shared/summary';
import type { DeployReport, Status } from './report.js';
import { shortTaskDefinition } from './revision/task-definition.js';

const ICON: Record<Status, string> = {
  succeeded: '✅',
  'rolled-back': '↩️',
  failed: '❌',
  'in-progress': '⏳',
  paused: '⏸️',
  superseded: '⏭️',
};

export function consoleUrl(report: Pick<DeployReport, 'region' | 'cluster' | 'service'>): string {
  const cluster = encodeURIComponent(report.cluster);
  const base = `https://${report.region}.console.aws.amazon.com/ecs/v2/clusters/${cluster}`;
  return report.service
    ? `${base}/services/${encodeURIComponent(report.service)}/deployments?region=${report.region}`
    : `${base}/tasks?region=${report.region}`;
}

/** The job summary, from the report alone: what changed, how, when, and how it ended. Never a variable's value. */
export function buildSummary(report: DeployReport, now: number): SummaryBlock[] {
  const status = report.status ?? 'failed';
  const what = report.mode === 'run-task' ? 'task' : `service ${inlineCode(report.service ?? '?')}`;
  const blocks: SummaryBlock[] = [
    heading(
      `ECS deploy: ${ICON[status]} ${status} — ${report.mode === 'run-task' ? 'run-task' : (report.service ?? '')}`,
    ),
  ];
  const facts: string[][] = [
    ['Target', `${what} in cluster ${inlineCode(report.cluster)} (${report.region})`],
    [
      'Strategy',
      report.mode === 'run-task'
        ? 'one-off task'
        : `${report.strategy}${report.gate === 'pause' ? ', gated (PAUSE hook before production traffic shifts)' : ''}`,
    ],
  ];
  if (report.taskDefinitionArn) {
    facts.push([
      'Task definition',
      `${inlineCode(shortTaskDefinition(report.taskDefinitionArn))}${report.registered === false ? ' (reused, not registered again)' : report.registered ? ' (registered)' : ''}`,
    ]);
  }
  if (report.previousTaskDefinitionArn)
    facts.push(['Previous', inlineCode(shortTaskDefinition(report.previousTaskDefinitionArn))]);
  if (report.action === 'attached')
    facts.push(['Deployment', 'already in progress for this revision: followed, not started again']);
  if (report.action === 'unchanged')
    facts.push(['Deployment', 'none needed: the service already runs this revision']);
  if (report.action === 'reconfigured')
    facts.push([
      'Deployment',
      'none needed: the service already runs this revision; its deployment configuration was updated',
    ]);
  if (report.deploymentArn) facts.push(['Service deployment', inlineCode(report.deploymentArn)]);
  if (report.hookId) facts.push(['Waiting at hook', inlineCode(report.hookId)]);
  if (report.trafficRoles)
    facts.push([
      'Target groups',
      `canary (new revision) ${inlineCode(shortTargetGroup(report.trafficRoles.canaryTargetGroupArn))}, baseline ${inlineCode(shortTargetGroup(report.trafficRoles.baselineTargetGroupArn))}`,
    ]);
  if (report.task) {
    facts.push(['Task', inlineCode(report.task.arn)]);
    if (report.task.exitCode !== undefined) facts.push(['Exit code', String(report.task.exitCode)]);
  }
  if (report.timeout && report.mode === 'service')
    facts.push([
      'Timeout',
      `${formatDuration(report.timeout.ms)}${report.timeout.derivedFrom ? ` (derived from ${escapeText(report.timeout.derivedFrom)})` : ''}`,
    ]);
  facts.push(['Duration', formatDuration((report.endedAt ?? now) - report.startedAt)]);
  blocks.push(table(['', ''], facts));

  if (report.images.length > 0 || report.environment.length > 0) {
    blocks.push(heading('What changed', 3));
    const rows = [
      ...report.images.map((change) => [
        change.container,
        'image',
        `${inlineCode(change.from)} → ${inlineCode(change.to)}`,
      ]),
      ...report.environment.map((change) => [
        change.container,
        'environment',
        change.names.map((name) => inlineCode(name)).join(', ') + ' (values not shown)',
      ]),
    ];
    blocks.push(table(['Container', 'What', 'Change'], rows));
  }

  if (report.timeline.length > 0) {
    blocks.push(heading('Timeline', 3));
    blocks.push(
      table(
        ['Stage', 'Started', 'Duration'],
        report.timeline.map((span) => [
          span.stage,
          `+${formatDuration(span.startedAt - report.startedAt)}`,
          span.endedAt !== undefined ? formatDuration(span.endedAt - span.startedAt) : 'ongoing',
        ]),
        ['left', 'right', 'right'],
      ),
    );
  }

  if (report.reasons.length > 0) {
    blocks.push(heading('Why', 3));
    blocks.push(list(report.reasons.map((reason) => escapeText(reason))));
  }
  if (report.notes.length > 0) {
    blocks.push(heading('Notes', 3));
    blocks.push(list(report.notes.map((note) => escapeText(note))));
  }
  if (report.rollback) blocks.push(paragraph(`**Rollback:** ${report.rollback}`));
  blocks.push(paragraph(`[Open in the ECS console](${consoleUrl(report)})`));
  return blocks;
}

/** `targetgroup/name/id` from a target group ARN, as CloudWatch names it. */
function shortTargetGroup(arn: string): string {
  const at = arn.indexOf('targetgroup/');
  return at >= 0 ? arn.slice(at) : arn;
}
