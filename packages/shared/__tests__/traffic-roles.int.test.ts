import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Service } from '@aws-sdk/client-ecs';
import { motoClientConfig, startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { resolveTrafficRoles } from '../src/traffic-roles.js';

// The listener rule is read from a real (emulated) ALB: a weighted forward, then the weights
// reversed as ECS leaves them after the next deployment.
let moto: MotoServer;
let elbv2: ElasticLoadBalancingV2Client;
let blue: string;
let green: string;
let ruleArn: string;

beforeAll(async () => {
  moto = await startMoto();
  const config = motoClientConfig(moto.endpoint);
  elbv2 = new ElasticLoadBalancingV2Client(config);
  // No EC2 client in this workspace: moto's default VPC and subnets, read over its query API.
  const { vpcId, subnetIds } = await defaultSubnets(moto.endpoint);
  const lb = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'web',
      Subnets: subnetIds.slice(0, 2),
      Type: 'application',
    }),
  );
  const group = async (name: string) =>
    (
      await elbv2.send(
        new CreateTargetGroupCommand({
          Name: name,
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: vpcId,
          TargetType: 'ip',
        }),
      )
    ).TargetGroups?.[0]?.TargetGroupArn as string;
  blue = await group('api-blue');
  green = await group('api-green');
  const listener = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: blue }],
    }),
  );
  const rule = await elbv2.send(
    new CreateRuleCommand({
      ListenerArn: listener.Listeners?.[0]?.ListenerArn,
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', Values: ['/*'] }],
      Actions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: blue, Weight: 90 },
              { TargetGroupArn: green, Weight: 10 },
            ],
          },
        },
      ],
    }),
  );
  ruleArn = rule.Rules?.[0]?.RuleArn as string;
}, 60_000);

async function defaultSubnets(endpoint: string): Promise<{ vpcId: string; subnetIds: string[] }> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: 'Action=DescribeSubnets&Version=2016-11-15',
  });
  const xml = await response.text();
  const subnetIds = [...xml.matchAll(/<subnetId>([^<]+)<\/subnetId>/g)].map((match) => match[1] as string);
  const vpcId = /<vpcId>([^<]+)<\/vpcId>/.exec(xml)?.[1];
  if (!vpcId || subnetIds.length < 2)
    throw new Error(`moto returned no default subnets: ${xml.slice(0, 300)}`);
  return { vpcId, subnetIds };
}

afterAll(async () => {
  await moto.stop();
});

const service = (): Service => ({
  serviceName: 'api',
  loadBalancers: [
    {
      targetGroupArn: blue,
      advancedConfiguration: {
        alternateTargetGroupArn: green,
        productionListenerRule: ruleArn,
        roleArn: 'arn:aws:iam::123456789012:role/ecs-lb',
      },
    },
  ],
});

describe('resolveTrafficRoles against an emulated ALB', () => {
  it('reads the canary from the weighted rule, and again after the groups swap', async () => {
    const deployment = {
      serviceDeploymentArn: 'dep-1',
      targetServiceRevision: { requestedProductionTrafficWeight: 10 },
    };
    const first = await resolveTrafficRoles({ elbv2 }, { deployment, service: service() });
    expect(first).toMatchObject({
      kind: 'known',
      canaryTargetGroupArn: green,
      baselineTargetGroupArn: blue,
      ruleWeights: { canary: 10, baseline: 90 },
    });

    await elbv2.send(
      new ModifyRuleCommand({
        RuleArn: ruleArn,
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: blue, Weight: 10 },
                { TargetGroupArn: green, Weight: 90 },
              ],
            },
          },
        ],
      }),
    );
    const second = await resolveTrafficRoles(
      { elbv2 },
      { deployment: { ...deployment, serviceDeploymentArn: 'dep-2' }, service: service() },
    );
    expect(second).toMatchObject({
      kind: 'known',
      canaryTargetGroupArn: blue,
      baselineTargetGroupArn: green,
    });

    const hardCoded = await resolveTrafficRoles(
      { elbv2 },
      {
        deployment: { ...deployment, serviceDeploymentArn: 'dep-2' },
        service: service(),
        expected: { canaryTargetGroup: green, baselineTargetGroup: blue },
      },
    );
    expect(hardCoded.kind).toBe('contradicted');
  });
});
