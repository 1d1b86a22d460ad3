import {
  DescribeServicesCommand,
  type ECSClient,
  type Service,
  type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  type Action,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * Which target group serves the new revision of one deployment. ECS blue/green, canary and linear
 * alternate the two groups on every deployment (new tasks register in the group that is not serving
 * production), so "canary" is a role read per deployment, never a fixed group.
 */
export interface TrafficRoles {
  kind: 'known';
  canaryTargetGroupArn: string;
  baselineTargetGroupArn: string;
  productionListenerRuleArn: string;
  /** Production weights of the listener rule right now, in percent. */
  ruleWeights: { canary: number; baseline: number };
  /** One sentence saying how the roles were read, for logs and summaries. */
  evidence: string;
}

/** The roles cannot be read (yet): callers retry for a bounded time, then fail closed. */
export interface UnknownRoles {
  kind: 'unknown';
  reason: string;
}

/** ECS and the listener rule say one thing, the caller's expectation another: never judge. */
export interface ContradictedRoles {
  kind: 'contradicted';
  reason: string;
}

export type TrafficRolesResult = TrafficRoles | UnknownRoles | ContradictedRoles;

export interface TrafficRolesInput {
  deployment: ServiceDeployment;
  service: Service;
  /** What the workflow claims (ARNs or `targetgroup/name/id` suffixes); checked, never trusted. */
  expected?: { canaryTargetGroup?: string; baselineTargetGroup?: string };
}

const TARGET_GROUP_SUFFIX = /(?:^|:)(targetgroup\/[^/\s]+\/[0-9a-f]+)$/;

/**
 * A target group as CloudWatch names it (`targetgroup/name/id`), from an ARN or the suffix itself;
 * undefined when the text is neither.
 */
export function targetGroupSuffix(input: string): string | undefined {
  return TARGET_GROUP_SUFFIX.exec(input.trim())?.[1];
}

function sameGroup(a: string, b: string): boolean {
  const left = targetGroupSuffix(a) ?? a.trim();
  const right = targetGroupSuffix(b) ?? b.trim();
  return left === right;
}

/** Weights of a forward action by target group ARN; a plain forward sends 100 to its one group. */
function forwardWeights(actions: Action[]): Map<string, number> | undefined {
  const forward = actions.find((action) => action.Type === 'forward');
  if (!forward) return undefined;
  const weights = new Map<string, number>();
  const groups = forward.ForwardConfig?.TargetGroups ?? [];
  if (groups.length > 0) {
    for (const group of groups) {
      if (group.TargetGroupArn) weights.set(group.TargetGroupArn, group.Weight ?? 1);
    }
    const total = [...weights.values()].reduce((sum, weight) => sum + weight, 0);
    // ELB weights are relative (0–999); ECS writes percentages. Normalise to percent either way.
    if (total > 0 && total !== 100) {
      for (const [arn, weight] of weights) weights.set(arn, (weight / total) * 100);
    }
    return weights;
  }
  if (forward.TargetGroupArn) weights.set(forward.TargetGroupArn, 100);
  return weights;
}

function weightOf(weights: Map<string, number>, groupArn: string): number {
  for (const [arn, weight] of weights) if (sameGroup(arn, groupArn)) return weight;
  return 0;
}

const close = (a: number, b: number): boolean => Math.abs(a - b) < 0.05;

async function ruleActions(
  elbv2: ElasticLoadBalancingV2Client,
  ruleArn: string,
): Promise<Action[] | undefined> {
  if (ruleArn.includes(':listener/')) {
    // An NLB names its listener rather than a rule: the listener's default actions route production.
    const response = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [ruleArn] }));
    return response.Listeners?.[0]?.DefaultActions;
  }
  const response = await elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
  return response.Rules?.[0]?.Actions;
}

/**
 * Reads, for one deployment, which target group holds its new revision: the service's load balancer
 * entry names the two groups and the production listener rule; the rule's weights and the weight
 * ECS requested for the new revision say which is which. Anything ambiguous is `unknown` unless
 * `expected` settles it; an `expected` that disagrees with an unambiguous reading is `contradicted`.
 */
export async function resolveTrafficRoles(
  clients: { elbv2: ElasticLoadBalancingV2Client },
  input: TrafficRolesInput,
): Promise<TrafficRolesResult> {
  const { deployment, service, expected } = input;
  const entry = (service.loadBalancers ?? []).find(
    (lb) => lb.targetGroupArn && lb.advancedConfiguration?.alternateTargetGroupArn,
  );
  if (!entry) {
    const serviceConnect = service.deployments?.some((d) => d.serviceConnectConfiguration?.enabled);
    return {
      kind: 'unknown',
      reason: serviceConnect
        ? `Service ${service.serviceName ?? ''} routes through Service Connect, not a load balancer with two target groups: the ALB preset cannot tell the revisions apart. Give custom metrics (the "metrics" input) that separate the new revision from the old.`
        : `Service ${service.serviceName ?? ''} has no load balancer with an alternate target group (loadBalancers[].advancedConfiguration): there are no two target groups to compare. Give custom metrics (the "metrics" input) instead.`,
    };
  }
  const first = entry.targetGroupArn as string;
  const second = entry.advancedConfiguration?.alternateTargetGroupArn as string;
  const ruleArn = entry.advancedConfiguration?.productionListenerRule;
  if (!ruleArn) {
    return {
      kind: 'unknown',
      reason: `Service ${service.serviceName ?? ''} names no productionListenerRule in its load balancer configuration.`,
    };
  }
  const requested = deployment.targetServiceRevision?.requestedProductionTrafficWeight;
  if (requested === undefined || requested === null || !Number.isFinite(requested)) {
    return {
      kind: 'unknown',
      reason: `ECS does not report the production traffic weight of deployment ${deployment.serviceDeploymentArn ?? ''} (targetServiceRevision.requestedProductionTrafficWeight): which target group holds the new revision cannot be told.`,
    };
  }
  const actions = await ruleActions(clients.elbv2, ruleArn);
  const weights = actions ? forwardWeights(actions) : undefined;
  if (!weights) {
    return {
      kind: 'unknown',
      reason: `The production listener rule ${ruleArn} has no forward action to read weights from.`,
    };
  }
  const firstWeight = weightOf(weights, first);
  const secondWeight = weightOf(weights, second);
  const matchesFirst = close(firstWeight, requested) && close(secondWeight, 100 - requested);
  const matchesSecond = close(secondWeight, requested) && close(firstWeight, 100 - requested);

  const expectedCanary = expected?.canaryTargetGroup?.trim() || undefined;
  const expectedBaseline = expected?.baselineTargetGroup?.trim() || undefined;
  const known = (canary: string, baseline: string, how: string): TrafficRoles => ({
    kind: 'known',
    canaryTargetGroupArn: canary,
    baselineTargetGroupArn: baseline,
    productionListenerRuleArn: ruleArn,
    ruleWeights: { canary: weightOf(weights, canary), baseline: weightOf(weights, baseline) },
    evidence: `ECS requested ${requested}% of production traffic for the new revision; the listener rule ${ruleArn} sends ${weightOf(weights, canary)}% to ${targetGroupSuffix(canary) ?? canary} and ${weightOf(weights, baseline)}% to ${targetGroupSuffix(baseline) ?? baseline}${how}.`,
  });

  const unambiguous = matchesFirst !== matchesSecond;
  if (unambiguous) {
    const [canary, baseline] = matchesFirst ? [first, second] : [second, first];
    if (
      (expectedCanary && !sameGroup(expectedCanary, canary)) ||
      (expectedBaseline && !sameGroup(expectedBaseline, baseline))
    ) {
      return {
        kind: 'contradicted',
        reason: `The inputs name ${expectedCanary ?? '(none)'} as the canary and ${expectedBaseline ?? '(none)'} as the baseline, but the new revision of ${deployment.serviceDeploymentArn ?? 'this deployment'} is in ${targetGroupSuffix(canary) ?? canary} (ECS requested ${requested}%; the listener rule sends ${weightOf(weights, canary)}% there). ECS alternates the groups per deployment: take ecs-deploy's canary-target-group / baseline-target-group outputs, or leave the inputs out.`,
      };
    }
    return known(canary, baseline, '');
  }

  // Ambiguous: a 50/50 split, or weights that match neither reading (the rule is mid-change).
  const ambiguity = matchesFirst
    ? `both groups carry ${requested}% of production traffic`
    : `the listener rule's weights (${firstWeight}% / ${secondWeight}%) match neither group at ${requested}%`;
  if (matchesFirst && (expectedCanary || expectedBaseline)) {
    const pick = expectedCanary ?? expectedBaseline ?? '';
    const pickIsFirst = sameGroup(pick, first);
    const pickIsSecond = sameGroup(pick, second);
    if (pickIsFirst || pickIsSecond) {
      const canaryIsFirst = expectedCanary ? pickIsFirst : pickIsSecond;
      const [canary, baseline] = canaryIsFirst ? [first, second] : [second, first];
      if (expectedCanary && expectedBaseline && !sameGroup(expectedBaseline, baseline)) {
        return {
          kind: 'contradicted',
          reason: `The inputs name ${expectedCanary} and ${expectedBaseline}, which are not the service's two target groups ${first} and ${second}.`,
        };
      }
      return known(canary, baseline, ` (${ambiguity}; the inputs settle which is the canary)`);
    }
    return {
      kind: 'contradicted',
      reason: `The input target group ${pick} is neither of the service's target groups ${first} and ${second}.`,
    };
  }
  return {
    kind: 'unknown',
    reason: `Which target group holds the new revision cannot be told: ${ambiguity}.`,
  };
}

/**
 * The same reading for a deployment alone: its service is read with DescribeServices on the
 * deployment's own cluster and service ARNs, so no input can point it at another service.
 */
export async function resolveDeploymentTrafficRoles(
  clients: { ecs: ECSClient; elbv2: ElasticLoadBalancingV2Client },
  input: Omit<TrafficRolesInput, 'service'>,
): Promise<TrafficRolesResult> {
  const { clusterArn, serviceArn, serviceDeploymentArn } = input.deployment;
  if (!clusterArn || !serviceArn) {
    return {
      kind: 'unknown',
      reason: `ECS does not report the cluster and service of deployment ${serviceDeploymentArn ?? ''}.`,
    };
  }
  const response = await clients.ecs.send(
    new DescribeServicesCommand({ cluster: clusterArn, services: [serviceArn] }),
  );
  const service = response.services?.[0];
  if (!service) {
    return {
      kind: 'unknown',
      reason: `DescribeServices does not return ${serviceArn}${response.failures?.[0]?.reason ? ` (${response.failures[0].reason})` : ''}.`,
    };
  }
  return resolveTrafficRoles(clients, { ...input, service });
}
