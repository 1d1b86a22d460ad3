import { describe, expect, it } from '@jest/globals';
import { referenceProblems, type Declarations } from '../src/references.js';

const declared: Declarations = {
  steps: new Map([
    ['deploy', { what: './actions/ecs-deploy', outputs: ['status', 'task-definition-arn'] }],
    ['script', { what: 'run', outputs: undefined }],
  ]),
  needs: new Map([['plan', ['services', 'cluster']]]),
  inputs: ['environment', 'dry-run'],
  matrix: ['service'],
};

describe('referenceProblems', () => {
  it.each<[string, string[]]>([
    ["steps.deploy.outputs.status == 'paused'", []],
    ['steps.Deploy.outputs.STATUS', []],
    ['steps.script.outputs.anything', []],
    ["steps.deploy.outputs['status']", []],
    ['steps.deploy.outcome', []],
    ['needs.plan.outputs.services && needs.plan.result', []],
    ['inputs.dry-run || matrix.service', []],
    [
      'steps.deploy.outputs.state',
      [
        "steps.deploy.outputs.state: step 'deploy' (./actions/ecs-deploy) declares no output 'state' (it declares: status, task-definition-arn)",
      ],
    ],
    ['steps.nope.outcome', ["steps.nope.outcome: the job has no step with id 'nope' (ids: deploy, script)"]],
    [
      'needs.plan.outputs.servics',
      [
        "needs.plan.outputs.servics: job 'plan' declares no output 'servics' (it declares: services, cluster)",
      ],
    ],
    ['needs.build.result', ["needs.build.result: 'build' is not in this job's needs (plan)"]],
    [
      'inputs.environmnet',
      [
        "inputs.environmnet: the workflow declares no input 'environmnet' (it declares: environment, dry-run)",
      ],
    ],
    ['matrix.services', ["matrix.services: the matrix has no key 'services' (keys: service)"]],
  ])('%s', (expression, problems) => {
    expect(referenceProblems(expression, declared)).toEqual(problems);
  });

  it('checks nothing that was not declared', () => {
    expect(referenceProblems('inputs.x || matrix.y || steps.z.outputs.w || needs.q.result', {})).toEqual([]);
    expect(referenceProblems('matrix.x', { matrix: [] })).toEqual(['matrix.x: the job has no matrix']);
  });
});
