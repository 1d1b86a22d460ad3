/**
 * Every AWS API action the gate may call. The README's policy lists exactly these, and a test fails
 * when the gate sends a command that is missing here.
 */
export const IAM_ACTIONS = {
  /** Reading metrics and alarms (also with action: decide-only). */
  read: [
    'cloudwatch:GetMetricData',
    'cloudwatch:DescribeAlarms',
    'ecs:ListServiceDeployments',
    'ecs:DescribeServiceDeployments',
  ],
  /** Learning which target group holds the new revision, and whether a newer deployment replaced it (action: act). */
  roles: [
    'ecs:DescribeServices',
    'elasticloadbalancing:DescribeRules',
    'elasticloadbalancing:DescribeListeners',
  ],
  /** Acting on the deployment (action: act). */
  act: ['ecs:ContinueServiceDeployment', 'ecs:StopServiceDeployment'],
} as const;

/** `GetMetricDataCommand` from @aws-sdk/client-cloudwatch -> `cloudwatch:GetMetricData`. */
export function iamActionOf(
  service: 'cloudwatch' | 'ecs' | 'elasticloadbalancing',
  commandName: string,
): string {
  return `${service}:${commandName.replace(/Command$/, '')}`;
}
