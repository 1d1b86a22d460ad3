import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type DeploymentConfiguration,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LocalAws } from './local-aws.js';

export interface BlueGreenFixtureOptions {
  cluster?: string;
  service?: string;
  family?: string;
  image?: string;
  desiredCount?: number;
  deploymentConfiguration?: DeploymentConfiguration;
  /** Create a test listener and rule (default true). */
  testListener?: boolean;
  /** Name prefix for the ALB and target groups (default the service name). */
  namePrefix?: string;
  /** Service Connect instead of a load balancer: no ALB, rules or target groups are made. */
  serviceConnect?: boolean;
  /** Wait (on the handle's clock) until the first deployment is steady (default true). */
  waitSteady?: boolean;
  /** More of the `app` container's definition (entryPoint, command, environment...): what its tasks run. */
  container?: Omit<ContainerDefinition, 'name' | 'image'>;
}

export interface BlueGreenFixture {
  clusterName: string;
  clusterArn: string;
  serviceName: string;
  serviceArn: string;
  taskDefinitionArn: string;
  family: string;
  /** The load-balancer parts are empty strings for a Service Connect fixture. */
  loadBalancerArn: string;
  /** `app/<name>/<id>`: the LoadBalancer dimension of AWS/ApplicationELB metrics. */
  loadBalancerDimension: string;
  /** The service's loadBalancers[0].targetGroupArn: serves production at first. */
  targetGroupA: string;
  /** advancedConfiguration.alternateTargetGroupArn. */
  targetGroupB: string;
  productionListenerArn: string;
  productionRuleArn: string;
  testListenerArn?: string;
  testRuleArn?: string;
  subnets: string[];
  vpcId: string;
}

/**
 * A service behind an ALB as blue/green, canary and linear need it: cluster, task definition, ALB,
 * target groups A and B, a production listener rule (and a test one) forwarding 100% to A, created
 * through the real SDK in moto, and the service created through the emulator (CreateService is
 * recorded in handle.calls; resetCalls() forgets it). Resolves once the service is steady.
 */
export async function createBlueGreenFixture(
  handle: LocalAws,
  options: BlueGreenFixtureOptions = {},
): Promise<BlueGreenFixture> {
  const motoEndpoint = handle.motoEndpoint;
  const config = {
    region: handle.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  const motoEcs = new ECSClient({ ...config, endpoint: motoEndpoint });
  const emulatorEcs = new ECSClient({ ...config, endpoint: handle.endpoint });
  const elbv2 = new ElasticLoadBalancingV2Client({ ...config, endpoint: motoEndpoint });
  try {
    const clusterName = options.cluster ?? 'app';
    const serviceName = options.service ?? 'web';
    const family = options.family ?? serviceName;
    const prefix = options.namePrefix ?? serviceName;
    const cluster = await motoEcs.send(new CreateClusterCommand({ clusterName }));
    const taskDefinition = await motoEcs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'app',
            image: options.image ?? 'public.ecr.aws/example/app:1',
            essential: true,
            portMappings: [{ containerPort: 8080 }],
            ...options.container,
          },
        ],
      }),
    );
    const { vpcId, subnets } = await defaultSubnets(motoEndpoint, handle.region);
    if (options.serviceConnect === true) {
      const created = await emulatorEcs.send(
        new CreateServiceCommand({
          cluster: clusterName,
          serviceName,
          taskDefinition: taskDefinition.taskDefinition?.taskDefinitionArn,
          desiredCount: options.desiredCount ?? 2,
          launchType: 'FARGATE',
          networkConfiguration: { awsvpcConfiguration: { subnets: subnets.slice(0, 2) } },
          deploymentConfiguration: options.deploymentConfiguration,
          serviceConnectConfiguration: {
            enabled: true,
            namespace: 'local',
            services: [{ portName: 'http', discoveryName: serviceName, clientAliases: [{ port: 80 }] }],
          },
        }),
      );
      await steady(handle, options);
      return {
        clusterName,
        clusterArn: cluster.cluster?.clusterArn ?? fail('CreateCluster: no ARN'),
        serviceName,
        serviceArn: created.service?.serviceArn ?? fail('CreateService: no ARN'),
        taskDefinitionArn:
          taskDefinition.taskDefinition?.taskDefinitionArn ?? fail('RegisterTaskDefinition: no ARN'),
        family,
        loadBalancerArn: '',
        loadBalancerDimension: '',
        targetGroupA: '',
        targetGroupB: '',
        productionListenerArn: '',
        productionRuleArn: '',
        subnets,
        vpcId,
      };
    }
    const alb = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: `${prefix}-alb`,
        Subnets: subnets.slice(0, 2),
        Type: 'application',
      }),
    );
    const loadBalancerArn = alb.LoadBalancers?.[0]?.LoadBalancerArn ?? fail('CreateLoadBalancer: no ARN');
    const group = async (suffix: string) => {
      const answer = await elbv2.send(
        new CreateTargetGroupCommand({
          Name: `${prefix}-${suffix}`,
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: vpcId,
          TargetType: 'ip',
        }),
      );
      return answer.TargetGroups?.[0]?.TargetGroupArn ?? fail('CreateTargetGroup: no ARN');
    };
    const targetGroupA = await group('a');
    const targetGroupB = await group('b');
    const listenerWithRule = async (port: number, priority: number) => {
      const listener = await elbv2.send(
        new CreateListenerCommand({
          LoadBalancerArn: loadBalancerArn,
          Protocol: 'HTTP',
          Port: port,
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
        }),
      );
      const listenerArn = listener.Listeners?.[0]?.ListenerArn ?? fail('CreateListener: no ARN');
      const rule = await elbv2.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: priority,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
          Actions: [
            {
              Type: 'forward',
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: targetGroupA, Weight: 100 },
                  { TargetGroupArn: targetGroupB, Weight: 0 },
                ],
              },
            },
          ],
        }),
      );
      return { listenerArn, ruleArn: rule.Rules?.[0]?.RuleArn ?? fail('CreateRule: no ARN') };
    };
    const production = await listenerWithRule(80, 10);
    const test = options.testListener === false ? undefined : await listenerWithRule(8080, 10);
    const created = await emulatorEcs.send(
      new CreateServiceCommand({
        cluster: clusterName,
        serviceName,
        taskDefinition: taskDefinition.taskDefinition?.taskDefinitionArn,
        desiredCount: options.desiredCount ?? 2,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: subnets.slice(0, 2) } },
        deploymentConfiguration: options.deploymentConfiguration,
        loadBalancers: [
          {
            targetGroupArn: targetGroupA,
            containerName: 'app',
            containerPort: 8080,
            advancedConfiguration: {
              alternateTargetGroupArn: targetGroupB,
              productionListenerRule: production.ruleArn,
              testListenerRule: test?.ruleArn,
              roleArn: `arn:aws:iam::${handle.account}:role/ecs-infrastructure`,
            },
          },
        ],
      }),
    );
    await steady(handle, options);
    return {
      clusterName,
      clusterArn: cluster.cluster?.clusterArn ?? fail('CreateCluster: no ARN'),
      serviceName,
      serviceArn: created.service?.serviceArn ?? fail('CreateService: no ARN'),
      taskDefinitionArn:
        taskDefinition.taskDefinition?.taskDefinitionArn ?? fail('RegisterTaskDefinition: no ARN'),
      family,
      loadBalancerArn,
      loadBalancerDimension: loadBalancerArn.split(':loadbalancer/')[1] ?? loadBalancerArn,
      targetGroupA,
      targetGroupB,
      productionListenerArn: production.listenerArn,
      productionRuleArn: production.ruleArn,
      testListenerArn: test?.listenerArn,
      testRuleArn: test?.ruleArn,
      subnets,
      vpcId,
    };
  } finally {
    motoEcs.destroy();
    emulatorEcs.destroy();
    elbv2.destroy();
  }
}

/** The first deployment scales up on the handle's clock (SimulatedClock: a jump; ScaledClock: a short wait). */
async function steady(handle: LocalAws, options: BlueGreenFixtureOptions): Promise<void> {
  if (options.waitSteady === false) return;
  await handle.clock.sleep(handle.timing.scaleUpMs + 1_000);
  await handle.advance();
}

/** Registers another revision of `family` in moto (a new image), for the next deployment. */
export async function registerRevision(
  handle: LocalAws,
  family: string,
  image: string,
  container: Omit<ContainerDefinition, 'name' | 'image'> = {},
): Promise<string> {
  const ecs = new ECSClient({
    region: handle.region,
    endpoint: handle.motoEndpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  try {
    const answer = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          { name: 'app', image, essential: true, portMappings: [{ containerPort: 8080 }], ...container },
        ],
      }),
    );
    return answer.taskDefinition?.taskDefinitionArn ?? fail('RegisterTaskDefinition: no ARN');
  } finally {
    ecs.destroy();
  }
}

/**
 * moto's default VPC and subnets, read with a hand-made EC2 Query call: the suite has no EC2 SDK
 * client and moto does not check signatures, only the credential scope that names the service.
 */
async function defaultSubnets(
  motoEndpoint: string,
  region: string,
): Promise<{ vpcId: string; subnets: string[] }> {
  const response = await fetch(`${motoEndpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: 'Action=DescribeSubnets&Version=2016-11-15',
  });
  const xml = await response.text();
  if (!response.ok) throw new Error(`moto DescribeSubnets failed: HTTP ${response.status}`);
  const subnets = [...xml.matchAll(/<subnetId>([^<]+)<\/subnetId>/g)].map((m) => m[1] ?? '');
  const vpcId = /<vpcId>([^<]+)<\/vpcId>/.exec(xml)?.[1];
  if (vpcId === undefined || subnets.length < 2) throw new Error('moto has no default VPC with two subnets');
  return { vpcId, subnets };
}

function fail(message: string): never {
  throw new Error(message);
}
