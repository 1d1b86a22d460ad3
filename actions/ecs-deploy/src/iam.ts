/**
 * The IAM actions each mode needs, exactly. The README's policy is generated from these lists and a
 * test fails when the action sends an SDK command that is not in them.
 */
export const IAM_ACTIONS = {
  service: [
    'ecs:DescribeServices',
    'ecs:DescribeTaskDefinition',
    'ecs:RegisterTaskDefinition',
    'ecs:UpdateService',
    'ecs:ListServiceDeployments',
    // The deployments' target revisions, to tell ours from another run's (deployment-lookup.ts).
    'ecs:DescribeServiceRevisions',
    'ecs:DescribeServiceDeployments',
    'ecs:StopServiceDeployment',
    'ecs:ContinueServiceDeployment',
    'ecs:ListTasks',
    'ecs:DescribeTasks',
    // The canary-target-group / baseline-target-group outputs (traffic-outputs.ts): the production
    // listener rule's weights, or an NLB listener's default actions.
    'elasticloadbalancing:DescribeRules',
    'elasticloadbalancing:DescribeListeners',
    'iam:PassRole',
  ],
  'run-task': [
    // DescribeServices when "service" is given (its revision is run), else DescribeClusters.
    'ecs:DescribeClusters',
    'ecs:DescribeServices',
    'ecs:DescribeTaskDefinition',
    'ecs:RegisterTaskDefinition',
    'ecs:RunTask',
    'ecs:DescribeTasks',
    'ecs:StopTask',
    'iam:PassRole',
  ],
  // Finishing another step's deployment: the answer, the watch, a rollback (UpdateService when ECS
  // could not roll back), the failure reasons and the target-group outputs.
  continue: [
    'ecs:DescribeServiceDeployments',
    'ecs:DescribeServices',
    'ecs:DescribeServiceRevisions',
    'ecs:ContinueServiceDeployment',
    'ecs:StopServiceDeployment',
    'ecs:UpdateService',
    'ecs:ListTasks',
    'ecs:DescribeTasks',
    'elasticloadbalancing:DescribeRules',
    'elasticloadbalancing:DescribeListeners',
  ],
  // The reads of images-from (and of mode resolve-images), in the source's account and region:
  // granted to the job's role, or to images-from-role when the source is another account's.
  'images-from': ['ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:ListTasks', 'ecs:DescribeTasks'],
  // With images-from-role: the job's role assumes it.
  'images-from-role': ['sts:AssumeRole'],
  // Mode validate makes no AWS call.
  validate: [],
} as const;

/** Actions that are not SDK commands of ours: ECS calls PassRole when a revision names roles. */
export const IMPLIED_ACTIONS = ['iam:PassRole'] as const;

/** `DescribeServicesCommand` → `ecs:DescribeServices` (`elasticloadbalancing:` for the ELBv2 client's, `sts:` for STS's). */
export function iamActionOf(
  commandName: string,
  service: 'ecs' | 'elasticloadbalancing' | 'sts' = 'ecs',
): string {
  return `${service}:${commandName.replace(/Command$/, '')}`;
}

/**
 * The policy document the README shows for the job's role. Modes continue and resolve-images, and
 * images-from in the same account, need nothing beyond service mode's statement.
 */
export function iamPolicy(): unknown {
  const ecs = (mode: keyof typeof IAM_ACTIONS) =>
    IAM_ACTIONS[mode].filter((action) => action.startsWith('ecs:'));
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcsDeployService', Effect: 'Allow', Action: ecs('service'), Resource: '*' },
      {
        // ELB's Describe actions take no resource-level permissions.
        Sid: 'EcsDeployTargetGroupOutputs',
        Effect: 'Allow',
        Action: IAM_ACTIONS.service.filter((action) => action.startsWith('elasticloadbalancing:')),
        Resource: '*',
      },
      {
        Sid: 'EcsDeployRunTask',
        Effect: 'Allow',
        Action: ecs('run-task').filter((action) => !ecs('service').includes(action as never)),
        Resource: '*',
      },
      {
        Sid: 'PassTaskRoles',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: ['arn:aws:iam::ACCOUNT:role/TASK_ROLE', 'arn:aws:iam::ACCOUNT:role/TASK_EXECUTION_ROLE'],
        Condition: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
      {
        Sid: 'AssumeImagesFromRole',
        Effect: 'Allow',
        Action: IAM_ACTIONS['images-from-role'][0],
        Resource: 'arn:aws:iam::SOURCE_ACCOUNT:role/IMAGES_FROM_ROLE',
      },
    ],
  };
}

/** The permissions policy of images-from-role, in the source account: the reads of images-from alone. */
export function imagesFromRolePolicy(): unknown {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EcsDeployImagesFromReads',
        Effect: 'Allow',
        Action: [...IAM_ACTIONS['images-from']],
        Resource: '*',
      },
    ],
  };
}
