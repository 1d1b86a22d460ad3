import { describe, expect, it } from '@jest/globals';
import { renderSummary } from '@ecs-ship/shared/summary';
import { tallyApprovals } from '../src/approvals.js';
import type { DeploymentInputs, PrCommentInputs } from '../src/inputs.js';
import { approvalsSummary, deploymentSummary, prCommentSummary, sourceCheckSummary } from '../src/summary.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const RUN = 'https://github.com/o/r/actions/runs/1/attempts/1';

describe('job summaries', () => {
  const deployment: DeploymentInputs = {
    mode: 'deployment',
    githubToken: 'x',
    environment: 'prod',
    state: 'failure',
    deploymentId: 12,
    ref: 'main',
    images: [{ container: 'app', uri: `r@${DIGEST}`, digest: DIGEST }],
    services: ['api'],
    records: [
      {
        service: 'api',
        strategy: 'CANARY',
        status: 'rolled-back',
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:1:task-definition/api:9',
        rolledBack: true,
        reason: 'alarm <5xx> | high',
        source: 'api.json',
      },
    ],
    unmatchedRecords: ['missing/*.json'],
  };

  it('deployment: state, images and the services table from records', () => {
    const text = renderSummary(
      deploymentSummary(
        deployment,
        { deploymentId: 12, githubState: 'failure', statusId: 3, description: 'api: rolled back' },
        RUN,
      ),
    );
    expect(text).toContain('## GitHub delivery: ❌ prod failure');
    expect(text).toContain(`| prod | failure | 12 | — | [run](${RUN}) |`);
    expect(text).toContain(`| app | \`r@${DIGEST}\` |`);
    expect(text).toContain(
      '| api | CANARY | rolled-back | api:9 | — | ↩️ yes | alarm &lt;5xx&gt; \\| high |',
    );
    expect(text).toContain('No record file matched `missing/*.json`.');
  });

  it('deployment: says nothing was recorded when the call failed', () => {
    expect(renderSummary(deploymentSummary(deployment, undefined, RUN))).toContain(
      '| prod | failure (not recorded) | 12 |',
    );
  });

  it('source-check before it finished lists the images', () => {
    const text = renderSummary(sourceCheckSummary('dev', deployment.images, undefined));
    expect(text).toContain('The check did not finish.');
    expect(text).toContain('| app |');
  });

  it('approvals: a row per review with what counted', () => {
    const tally = tallyApprovals(
      [
        { login: 'alice', environments: ['p1'], state: 'approved', comment: 'ok | fine' },
        { login: 'octocat', environments: ['p2'], state: 'approved', comment: '' },
        { login: 'zed', environments: ['staging'], state: 'approved', comment: '' },
      ],
      ['p1', 'p2'],
      ['octocat'],
      2,
    );
    const text = renderSummary(approvalsSummary(tally, ['p1', 'p2'], 2));
    expect(text).toContain('## GitHub delivery: ❌ 1 of 2 required approver(s): alice');
    expect(text).toContain('| p1 | alice | approved | ✅ counted | ok \\| fine |');
    expect(text).toContain('| p2 | octocat | approved | 🚫 started the run | — |');
    expect(text).toContain('| staging | zed | approved | other environment | — |');
  });

  it('pr-comment: the comment, what happened to it and the results', () => {
    const inputs: PrCommentInputs = {
      mode: 'pr-comment',
      githubToken: 'x',
      content: {
        kind: 'results',
        file: 'r.json',
        results: [{ check: 'lint', status: 'fail', summary: '<b>2</b> findings' }],
      },
      title: 't',
      key: 'pr-validate',
      pullRequest: 4,
      headSha: 'b'.repeat(40),
      expectedAuthor: 'github-actions[bot]',
      runId: '1',
      runAttempt: 1,
      runUrl: RUN,
      relay: false,
    };
    const text = renderSummary(
      prCommentSummary(inputs, {
        id: 7,
        url: 'https://c/7',
        created: false,
        skipped: false,
        deleted: [8],
        truncated: true,
      }),
    );
    expect(text).toContain('## GitHub delivery: pull request #4 comment updated');
    expect(text).toContain(
      `| #4 | [7](https://c/7) | \`pr-validate\` | \`bbbbbbbbbbbb\` | [1 attempt 1](${RUN}) |`,
    );
    expect(text).toContain('Deleted duplicate comment(s): 8.');
    expect(text).toContain("cut to fit GitHub's 65,536-character limit");
    expect(text).toContain('| ❌ | lint | &lt;b&gt;2&lt;/b&gt; findings |');
  });
});
