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
import { describeImagesFrom } from './images-from/spec.js';
import type { DeployReport, Status } from './report.js';
import { shortTaskDefinition } from './revision/task-definition.js';

const ICON: Record<Status, string> = {
  succeeded: '✅',
  valid: '✅',
  'rolled-back': '↩️',
  failed: '❌',
  'in-progress': '⏳',
  paused: '⏸️',
  superseded: '⏭️',
};

const CHECK_ICON = { passed: '✅ passed', failed: '❌ failed', skipped: '➖ skipped' } as const;

export function consoleUrl(report: Pick<DeployReport, 'region' | 'cluster' | 'service'>): string {
  const cluster = encodeURIComponent(report.cluster);
  const base = `https://${report.region}.console.aws.amazon.com/ecs/v2/clusters/${cluster}`;
  return report.service
    ? `${base}/services/${encodeURIComponent(report.service)}/deployments?region=${report.region}`
    : `${base}/tasks?region=${report.region}`;
}

/**
 * The job summary, from the report alone: what changed, how, when, and how it ended. Never a
 * variable's value, nor a secret's reference (names and their source only).
 */
export function buildSummary(report: DeployReport, now: number): SummaryBlock[] {
  const status = report.status ?? 'failed';
  const title =
    report.mode === 'run-task' || report.mode === 'validate'
      ? report.mode
      : report.mode === 'resolve-images'
        ? `resolve-images ${report.cluster}/${report.service ?? ''}`
        : (report.service ?? '');
  const blocks: SummaryBlock[] = [heading(`ECS deploy: ${ICON[status]} ${status} — ${title}`)];
  if (report.mode === 'validate') blocks.push(...checksTable(report));
  else if (report.mode === 'resolve-images') blocks.push(...imagesFromTable(report));
  else blocks.push(factsTable(report, now));
  blocks.push(...changes(report));
  if (report.mode !== 'resolve-images' && report.imagesFrom) blocks.push(...imagesFromTable(report));
  blocks.push(...timeline(report));

  if (report.reasons.length > 0) {
    blocks.push(heading('Why', 3));
    blocks.push(list(report.reasons.map((reason) => escapeText(reason))));
  }
  if (report.notes.length > 0) {
    blocks.push(heading('Notes', 3));
    blocks.push(list(report.notes.map((note) => escapeText(note))));
  }
  if (report.rollback) blocks.push(paragraph(`**Rollback:** ${report.rollback}`));
  if (report.mode !== 'validate' && report.region !== '')
    blocks.push(paragraph(`[Open in the ECS console](${consoleUrl(report)})`));
  return blocks;
}

function factsTable(report: DeployReport, now: number): SummaryBlock {
  const what = report.mode === 'run-task' ? 'task' : `service ${inlineCode(report.service ?? '?')}`;
  const facts: string[][] = [
    ['Target', `${what} in cluster ${inlineCode(report.cluster)} (${report.region})`],
    [
      'Strategy',
      report.mode === 'run-task'
        ? 'one-off task'
        : `${report.strategy ?? 'unknown'}${report.gate === 'pause' ? ', gated (PAUSE hook before production traffic shifts)' : ''}`,
    ],
  ];
  if (report.answer)
    facts.push([
      'Answer',
      report.answer === 'continue'
        ? 'continue: every pause of the deployment is continued'
        : 'rollback: the deployment is rolled back',
    ]);
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
  if (report.timeout && report.mode !== 'run-task')
    facts.push([
      'Timeout',
      `${formatDuration(report.timeout.ms)}${report.timeout.derivedFrom ? ` (derived from ${escapeText(report.timeout.derivedFrom)})` : ''}`,
    ]);
  facts.push(['Duration', formatDuration((report.endedAt ?? now) - report.startedAt)]);
  return table(['', ''], facts);
}

function changes(report: DeployReport): SummaryBlock[] {
  const rows = [
    ...report.images.map((change) => [
      change.container,
      'image',
      `${inlineCode(change.from)} → ${inlineCode(change.to)}`,
    ]),
    ...report.secrets.map((change) => [
      change.container,
      'secrets',
      change.secrets.map((secret) => `${inlineCode(secret.name)} (${secret.source})`).join(', ') +
        ' (references not shown)',
    ]),
    ...report.environment.map((change) => [
      change.container,
      'environment',
      change.names.map((name) => inlineCode(name)).join(', ') + ' (values not shown)',
    ]),
  ];
  if (rows.length === 0) return [];
  return [
    heading(report.mode === 'validate' ? 'What a deploy would change' : 'What changed', 3),
    table(['Container', 'What', 'Change'], rows),
  ];
}

function checksTable(report: DeployReport): SummaryBlock[] {
  const checks = report.checks ?? [];
  return [
    paragraph(
      'Every check a deploy makes before its first change that needs no AWS call, run on the task definition file alone (no AWS call was made).',
    ),
    table(
      ['Check', 'Result', 'Detail'],
      checks.map((check) => [check.check, CHECK_ICON[check.status], escapeText(check.detail)]),
    ),
  ];
}

function imagesFromTable(report: DeployReport): SummaryBlock[] {
  const resolved = report.imagesFrom;
  if (!resolved) return [];
  const source = `${describeImagesFrom({ cluster: resolved.from.cluster, service: resolved.from.service })} (${resolved.region}${resolved.from.roleArn ? `, as ${resolved.from.roleArn}` : ''})`;
  return [
    heading('Images from', 3),
    table(
      ['Source service', 'Task definition', 'Container', 'Digest', 'Running tasks'],
      resolved.containers.map((container) => [
        escapeText(source),
        inlineCode(shortTaskDefinition(resolved.taskDefinitionArn)),
        container.container,
        `${inlineCode(container.digest)}${container.pinned ? ' (pinned in the task definition)' : ''}`,
        String(container.runningTasks),
      ]),
      ['left', 'left', 'left', 'left', 'right'],
    ),
  ];
}

function timeline(report: DeployReport): SummaryBlock[] {
  if (report.timeline.length === 0) return [];
  return [
    heading('Timeline', 3),
    table(
      ['Stage', 'Started', 'Duration'],
      report.timeline.map((span) => [
        span.stage,
        `+${formatDuration(span.startedAt - report.startedAt)}`,
        span.endedAt !== undefined ? formatDuration(span.endedAt - span.startedAt) : 'ongoing',
      ]),
      ['left', 'right', 'right'],
    ),
  ];
}

/** `targetgroup/name/id` from a target group ARN, as CloudWatch names it. */
function shortTargetGroup(arn: string): string {
  const at = arn.indexOf('targetgroup/');
  return at >= 0 ? arn.slice(at) : arn;
}
