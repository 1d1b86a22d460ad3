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
    'ecs:DescribeServiceDeployments',
    'ecs:StopServiceDeployment',
    'ecs:ContinueServiceDeployment',
    'ecs:ListTasks',
    'ecs:DescribeTasks',
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
} as const;

/** Actions that are not SDK commands of ours: ECS calls PassRole when a revision names roles. */
export const IMPLIED_ACTIONS = ['iam:PassRole'] as const;

/** `DescribeServicesCommand` → `ecs:DescribeServices`. */
export function iamActionOf(commandName: string): string {
  return `ecs:${commandName.replace(/Command$/, '')}`;
}

/** The policy document the README shows, one statement per mode. */
export function iamPolicy(): unknown {
  const ecs = (mode: keyof typeof IAM_ACTIONS) =>
    IAM_ACTIONS[mode].filter((action) => action.startsWith('ecs:'));
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcsDeployService', Effect: 'Allow', Action: ecs('service'), Resource: '*' },
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
    ],
  };
}
