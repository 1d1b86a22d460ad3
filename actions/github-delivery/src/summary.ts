import type { StickyComment } from '@ecs-ship/shared/github-comments';
import {
  escapeText,
  heading,
  inlineCode,
  list,
  paragraph,
  table,
  type SummaryBlock,
} from '@ecs-ship/shared/summary';
import type { ApprovalTally } from './approvals.js';
import type { DeploymentResult } from './deployment.js';
import type { ImageRef } from './images.js';
import type { DeploymentInputs, PrCommentInputs } from './inputs.js';
import { shortTaskDefinition, type DeployRecord } from './records.js';
import { STATUS_EMOJI, resultsHeadline } from './results.js';
import type { SourceCheckResult } from './source-check.js';

const TITLE = 'GitHub delivery';
const dash = '—';

function imagesTable(images: readonly ImageRef[]): SummaryBlock {
  return table(
    ['Container', 'Image'],
    images.map((image) => [image.container, inlineCode(image.uri)]),
  );
}

function recordsTable(records: readonly DeployRecord[]): SummaryBlock {
  return table(
    ['Service', 'Strategy', 'Status', 'Task definition', 'Previous', 'Rolled back', 'Reason'],
    records.map((record) => [
      record.service,
      record.strategy ?? dash,
      record.status ?? dash,
      shortTaskDefinition(record.taskDefinitionArn) ?? dash,
      shortTaskDefinition(record.previousTaskDefinitionArn) ?? dash,
      record.rolledBack ? '↩️ yes' : 'no',
      record.reason ? escapeText(record.reason) : dash,
    ]),
  );
}

export function deploymentSummary(
  inputs: DeploymentInputs,
  result: DeploymentResult | undefined,
  runUrl: string,
): SummaryBlock[] {
  const icon = { start: '🚀', success: '✅', failure: '❌', error: '⚠️' }[inputs.state];
  const blocks: SummaryBlock[] = [
    heading(
      `${TITLE}: ${icon} ${inputs.environment} ${inputs.state === 'start' ? 'deployment started' : inputs.state}`,
    ),
    table(
      ['Environment', 'State', 'Deployment', 'Ref', 'Log'],
      [
        [
          inputs.environment,
          result ? result.githubState : `${inputs.state} (not recorded)`,
          result
            ? String(result.deploymentId)
            : inputs.deploymentId !== undefined
              ? String(inputs.deploymentId)
              : dash,
          inputs.state === 'start' ? inlineCode(inputs.ref) : dash,
          `[run](${runUrl})`,
        ],
      ],
    ),
  ];
  if (result?.description) blocks.push(paragraph(`Status description: ${escapeText(result.description)}`));
  if (inputs.images.length > 0) blocks.push(heading('Images', 3), imagesTable(inputs.images));
  if (inputs.records.length > 0) blocks.push(heading('Services', 3), recordsTable(inputs.records));
  else if (inputs.services.length > 0) blocks.push(heading('Services', 3), list(inputs.services));
  if (inputs.unmatchedRecords.length > 0)
    blocks.push(
      paragraph(
        `No record file matched ${inputs.unmatchedRecords.map((pattern) => inlineCode(pattern)).join(', ')}.`,
      ),
    );
  return blocks;
}

export function sourceCheckSummary(
  environment: string,
  images: readonly ImageRef[],
  result: SourceCheckResult | undefined,
): SummaryBlock[] {
  if (!result)
    return [
      heading(`${TITLE}: source check of ${environment}`),
      paragraph('The check did not finish.'),
      imagesTable(images),
    ];
  const headline = result.matched
    ? `✅ ${environment} runs what GitHub recorded`
    : result.deployment
      ? `❌ ${environment} does not run what GitHub recorded`
      : `⚠️ ${environment} has no successful deployment on record`;
  const blocks: SummaryBlock[] = [heading(`${TITLE}: ${headline}`)];
  if (result.deployment) {
    const deployment = result.deployment;
    blocks.push(
      paragraph(
        `Compared with deployment ${deployment.id} of ${inlineCode(deployment.sha.slice(0, 12))} (${deployment.createdAt})${deployment.run ? `, [its run](${deployment.run})` : ''}.`,
      ),
    );
  }
  const outcome = {
    match: '✅ same digest',
    mismatch: '❌ different digest',
    'only-running': 'not recorded (not compared)',
    'only-recorded': 'not running (not compared)',
  } as const;
  const rows =
    result.comparisons.length > 0
      ? result.comparisons
      : images.map((image) => ({
          container: image.container,
          runningDigest: image.digest,
          outcome: undefined,
        }));
  blocks.push(
    table(
      ['Container', 'Running', 'Recorded', 'Result'],
      rows.map((row) => [
        'recordedAs' in row && row.recordedAs
          ? `${row.container} (recorded as ${row.recordedAs})`
          : row.container,
        'runningDigest' in row && row.runningDigest ? inlineCode(row.runningDigest) : dash,
        'recordedDigest' in row && row.recordedDigest ? inlineCode(row.recordedDigest) : dash,
        row.outcome ? outcome[row.outcome] : dash,
      ]),
    ),
  );
  return blocks;
}

export function approvalsSummary(
  tally: ApprovalTally | undefined,
  environments: readonly string[],
  required: number,
): SummaryBlock[] {
  if (!tally)
    return [
      heading(`${TITLE}: approvals`),
      paragraph(
        `Needed ${required} distinct approver(s) across ${environments.join(', ')}; the check did not finish.`,
      ),
    ];
  const verdict = {
    counted: '✅ counted',
    initiator: '🚫 started the run',
    rejected: '❌ rejected',
    'not-listed': 'other environment',
    pending: 'pending',
  } as const;
  return [
    heading(
      `${TITLE}: ${tally.ok ? '✅' : '❌'} ${tally.approvers.length} of ${required} required approver(s)${tally.approvers.length > 0 ? `: ${tally.approvers.join(', ')}` : ''}`,
    ),
    paragraph(
      `Environments that count: ${environments.join(', ')}. Started by: ${tally.initiators.join(', ')} (not counted).`,
    ),
    table(
      ['Environment', 'Reviewer', 'State', 'Counted', 'Comment'],
      tally.rows.map((row) => [
        (row.relevant.length > 0 ? row.relevant : row.environments).join(', ') || dash,
        row.login,
        row.state,
        verdict[row.verdict],
        row.comment ? escapeText(row.comment) : dash,
      ]),
    ),
  ];
}

export function prCommentSummary(inputs: PrCommentInputs, result: StickyComment | undefined): SummaryBlock[] {
  const action = !result
    ? 'not written'
    : result.skipped
      ? `left alone (run ${result.newerStamp?.runId} attempt ${result.newerStamp?.attempt} is newer)`
      : result.created
        ? 'created'
        : 'updated';
  const blocks: SummaryBlock[] = [
    heading(`${TITLE}: pull request #${inputs.pullRequest} comment ${action}`),
    table(
      ['Pull request', 'Comment', 'Key', 'Head', 'Run'],
      [
        [
          `#${inputs.pullRequest}`,
          result ? `[${result.id}](${result.url})` : dash,
          inlineCode(inputs.key),
          inlineCode(inputs.headSha.slice(0, 12)),
          `[${inputs.runId} attempt ${inputs.runAttempt}](${inputs.runUrl})`,
        ],
      ],
    ),
  ];
  if (result && result.deleted.length > 0)
    blocks.push(paragraph(`Deleted duplicate comment(s): ${result.deleted.join(', ')}.`));
  if (result?.truncated)
    blocks.push(paragraph("The comment was cut to fit GitHub's 65,536-character limit."));
  if (inputs.content.kind === 'results') {
    blocks.push(
      paragraph(resultsHeadline(inputs.content.results)),
      table(
        ['', 'Check', 'Summary'],
        inputs.content.results.map((entry) => [
          STATUS_EMOJI[entry.status],
          escapeText(entry.check),
          escapeText(entry.summary),
        ]),
      ),
    );
  }
  return blocks;
}
