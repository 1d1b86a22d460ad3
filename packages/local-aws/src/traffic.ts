import {
  DescribeRulesCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Action,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LoadBalancer } from '@aws-sdk/client-ecs';

/** A target group's share of a rule's forward action. */
export interface GroupWeight {
  targetGroupArn: string;
  weight: number;
}

/** The two target groups of a load balancer entry with advancedConfiguration. */
export function groupPair(lb: LoadBalancer): [string, string] | undefined {
  const primary = lb.targetGroupArn;
  const alternate = lb.advancedConfiguration?.alternateTargetGroupArn;
  return primary && alternate ? [primary, alternate] : undefined;
}

/** One rewrite of a rule, at the simulated moment the deployment made it. */
export interface RuleChange {
  at: number;
  ruleArn: string;
  weights: GroupWeight[];
}

/**
 * Rewrites listener rules through moto's ELBv2 as ECS does for blue/green, canary and linear: a
 * weighted forward to the two target groups (ELBv2 ModifyRule / ModifyListener for NLB listeners).
 * Every rewrite is kept with its simulated time, so the synthetic traffic can split a past minute
 * by the weights that held during it.
 */
export class TrafficRouter {
  readonly history: RuleChange[] = [];

  constructor(private readonly elbv2: ElasticLoadBalancingV2Client) {}

  /** The rule's (or listener's) forward weights; [] when it forwards nowhere we can read. */
  async readWeights(ruleArn: string): Promise<GroupWeight[]> {
    if (!isRule(ruleArn)) return [];
    const answer = await this.elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
    const forward = answer.Rules?.[0]?.Actions?.find((action) => action.Type === 'forward');
    if (forward === undefined) return [];
    const groups = forward.ForwardConfig?.TargetGroups;
    if (groups && groups.length > 0)
      return groups.map((group) => ({
        targetGroupArn: group.TargetGroupArn ?? '',
        weight: group.Weight ?? 1,
      }));
    return forward.TargetGroupArn ? [{ targetGroupArn: forward.TargetGroupArn, weight: 1 }] : [];
  }

  /** Sends `newPercent` of the rule's traffic to `newGroup`, the rest to `oldGroup`, from `at`. */
  async shift(
    ruleArn: string,
    oldGroup: string,
    newGroup: string,
    newPercent: number,
    at: number,
  ): Promise<void> {
    const [oldWeight, newWeight] = elbWeights(newPercent);
    const actions: Action[] = [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: oldGroup, Weight: oldWeight },
            { TargetGroupArn: newGroup, Weight: newWeight },
          ],
        },
      },
    ];
    if (isRule(ruleArn)) await this.elbv2.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: actions }));
    else await this.elbv2.send(new ModifyListenerCommand({ ListenerArn: ruleArn, DefaultActions: actions }));
    this.history.push({
      at,
      ruleArn,
      weights: [
        { targetGroupArn: oldGroup, weight: oldWeight },
        { targetGroupArn: newGroup, weight: newWeight },
      ],
    });
  }
}

/**
 * ELBv2 weights are integers 0..999: whole percents map to themselves, tenths (canary 2.5%) to
 * a 0..999 scale, which keeps the ratio to within 0.1%.
 */
export function elbWeights(newPercent: number): [number, number] {
  if (Number.isInteger(newPercent)) return [100 - newPercent, newPercent];
  const scaled = Math.round((newPercent / 100) * 999);
  return [999 - scaled, scaled];
}

/** A group's share in percent of a weight list (0 when absent). */
export function percentOf(weights: GroupWeight[], targetGroupArn: string): number {
  const total = weights.reduce((sum, group) => sum + group.weight, 0);
  if (total === 0) return 0;
  const mine = weights.find((group) => group.targetGroupArn === targetGroupArn)?.weight ?? 0;
  return (mine / total) * 100;
}

function isRule(arn: string): boolean {
  return arn.includes(':listener-rule/');
}
