import { describe, expect, it } from '@jest/globals';
import type { Service, ServiceDeployment } from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveTrafficRoles, targetGroupSuffix } from '../src/traffic-roles.js';

const prefix = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:';
const blue = `${prefix}targetgroup/api-blue/0123456789abcdef`;
const green = `${prefix}targetgroup/api-green/fedcba9876543210`;
const rule = `${prefix}listener-rule/app/web/1111111111111111/2222222222222222/3333333333333333`;

const service: Service = {
  serviceName: 'api',
  loadBalancers: [
    {
      targetGroupArn: blue,
      containerName: 'api',
      containerPort: 8080,
      advancedConfiguration: {
        alternateTargetGroupArn: green,
        productionListenerRule: rule,
        roleArn: 'arn:aws:iam::123456789012:role/ecs-lb',
      },
    },
  ],
};

const deployment = (weight: number | undefined): ServiceDeployment => ({
  serviceDeploymentArn: 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/api/dep-2',
  targetServiceRevision: {
    arn: 'rev-2',
    ...(weight !== undefined ? { requestedProductionTrafficWeight: weight } : {}),
  },
});

function elbWith(weights: Array<[string, number]> | { plain: string }) {
  const elbv2 = mockClient(ElasticLoadBalancingV2Client);
  elbv2.on(DescribeRulesCommand).resolves({
    Rules: [
      {
        RuleArn: rule,
        Actions: [
          'plain' in weights
            ? { Type: 'forward', TargetGroupArn: weights.plain }
            : {
                Type: 'forward',
                ForwardConfig: {
                  TargetGroups: weights.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })),
                },
              },
        ],
      },
    ],
  });
  return elbv2;
}

const suffix = (arn: string) => targetGroupSuffix(arn) as string;

interface Row {
  name: string;
  weight: number | undefined;
  rule: Array<[string, number]> | { plain: string };
  expected?: { canaryTargetGroup?: string; baselineTargetGroup?: string };
  kind: 'known' | 'unknown' | 'contradicted';
  canary?: string;
}

const rows: Row[] = [
  {
    name: 'canary at 10% in green',
    weight: 10,
    rule: [
      [blue, 90],
      [green, 10],
    ],
    kind: 'known',
    canary: green,
  },
  {
    name: 'groups swapped: canary at 10% in blue',
    weight: 10,
    rule: [
      [blue, 10],
      [green, 90],
    ],
    kind: 'known',
    canary: blue,
  },
  {
    name: 'first pause at 0%: the group at 0 is new',
    weight: 0,
    rule: { plain: green },
    kind: 'known',
    canary: blue,
  },
  { name: 'fully shifted at 100%', weight: 100, rule: { plain: blue }, kind: 'known', canary: blue },
  {
    name: 'weight unknown: fail closed',
    weight: undefined,
    rule: [
      [blue, 90],
      [green, 10],
    ],
    kind: 'unknown',
  },
  {
    name: 'a 50/50 tie',
    weight: 50,
    rule: [
      [blue, 50],
      [green, 50],
    ],
    kind: 'unknown',
  },
  {
    name: 'a 50/50 tie settled by the inputs (suffixes)',
    weight: 50,
    rule: [
      [blue, 50],
      [green, 50],
    ],
    expected: { canaryTargetGroup: suffix(green) },
    kind: 'known',
    canary: green,
  },
  {
    name: 'weights matching neither (rule mid-change)',
    weight: 20,
    rule: [
      [blue, 90],
      [green, 10],
    ],
    kind: 'unknown',
  },
  {
    name: 'inputs that agree',
    weight: 10,
    rule: [
      [blue, 90],
      [green, 10],
    ],
    expected: { canaryTargetGroup: green, baselineTargetGroup: suffix(blue) },
    kind: 'known',
    canary: green,
  },
  {
    name: 'inputs that contradict (green hard-coded on the second deployment)',
    weight: 10,
    rule: [
      [blue, 10],
      [green, 90],
    ],
    expected: { canaryTargetGroup: green, baselineTargetGroup: blue },
    kind: 'contradicted',
  },
];

describe('resolveTrafficRoles', () => {
  it.each(rows)('$name → $kind', async (row) => {
    const elbv2 = elbWith(row.rule);
    const roles = await resolveTrafficRoles(
      { elbv2: elbv2 as unknown as ElasticLoadBalancingV2Client },
      { deployment: deployment(row.weight), service, ...(row.expected ? { expected: row.expected } : {}) },
    );
    expect(roles.kind).toBe(row.kind);
    if (roles.kind === 'known') {
      expect(roles.canaryTargetGroupArn).toBe(row.canary);
      expect(roles.baselineTargetGroupArn).toBe(row.canary === blue ? green : blue);
      expect(roles.productionListenerRuleArn).toBe(rule);
      expect(roles.ruleWeights.canary + roles.ruleWeights.baseline).toBe(100);
      expect(roles.evidence).toContain('listener rule');
    }
  });

  it('says to give custom metrics for a Service Connect service', async () => {
    const elbv2 = mockClient(ElasticLoadBalancingV2Client);
    const roles = await resolveTrafficRoles(
      { elbv2: elbv2 as unknown as ElasticLoadBalancingV2Client },
      {
        deployment: deployment(10),
        service: { serviceName: 'api', deployments: [{ serviceConnectConfiguration: { enabled: true } }] },
      },
    );
    expect(roles).toEqual({ kind: 'unknown', reason: expect.stringContaining('custom metrics') });
    expect(elbv2.calls()).toHaveLength(0);
  });

  it('takes the suffix of a target group ARN, or the suffix itself', () => {
    expect(targetGroupSuffix(green)).toBe('targetgroup/api-green/fedcba9876543210');
    expect(targetGroupSuffix('targetgroup/api-green/fedcba9876543210')).toBe(
      'targetgroup/api-green/fedcba9876543210',
    );
    expect(targetGroupSuffix('api-green')).toBeUndefined();
  });
});
