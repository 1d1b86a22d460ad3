import { describe, expect, it } from '@jest/globals';
import { parseYamlText } from '@ecs-ship/shared/inputs';
import { loadBalancerDimension, targetGroupDimension } from '../src/alb-preset.js';
import { parseMetrics } from '../src/parse-metrics.js';

const parse = (yaml: string) => parseMetrics(parseYamlText(yaml, 'metrics'), 60);
const stat = (name: string, variant: string) =>
  `{ MetricStat: { Metric: { Namespace: App, MetricName: ${name}, Dimensions: [{ Name: Variant, Value: ${variant} }] }, Stat: Sum } }`;

describe('parseMetrics', () => {
  it('reads rate, level and request metrics with generated query Ids', () => {
    const parsed = parse(`
- name: requests
  kind: requests
  canary: ${stat('Requests', 'canary')}
  baseline: ${stat('Requests', 'baseline')}
- name: checkout-errors
  kind: rate
  tolerance: 20% or 0.1pp
  canary: ${stat('CheckoutErrors', 'canary')}
  baseline: ${stat('CheckoutErrors', 'baseline')}
- name: p99
  kind: level
  direction: either
  critical: false
  unit: seconds
  tolerance: 50ms
  canary: { Id: latency_c, Expression: "SELECT MAX(Latency) FROM App WHERE Variant = 'canary'" }
  baseline: { Id: latency_b, Expression: "SELECT MAX(Latency) FROM App WHERE Variant = 'baseline'" }
`);
    expect(parsed.requests?.canary).toEqual({
      Id: 'requests_canary',
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: 'App',
          MetricName: 'Requests',
          Dimensions: [{ Name: 'Variant', Value: 'canary' }],
        },
        Period: 60,
        Stat: 'Sum',
      },
    });
    expect(parsed.metrics.map((metric) => [metric.spec, metric.canary.Id, metric.baseline.Id])).toEqual([
      [
        {
          name: 'checkout-errors',
          kind: 'rate',
          direction: 'increase',
          tolerance: { relative: 0.2, absolute: 0.001 },
          critical: true,
        },
        'checkout_errors_canary',
        'checkout_errors_baseline',
      ],
      [
        {
          name: 'p99',
          kind: 'level',
          direction: 'either',
          tolerance: { absolute: 0.05 },
          critical: false,
          unit: 'seconds',
        },
        'latency_c',
        'latency_b',
      ],
    ]);
    expect(parsed.metrics[1]?.canary.Period).toBe(60);
  });

  it.each([
    [
      '- name: x\n  kind: rate\n  tolerance: 20%\n  canary: {}\n  baseline: {}',
      'give exactly one of "MetricStat" or "Expression"',
    ],
    ['- name: x\n  kind: ratio', '"kind" must be one of rate, level, requests; got "ratio".'],
    ['- kind: rate', '"name" must be letters, digits, _ or - starting with a letter; got nothing.'],
    [
      `- name: x\n  kind: rate\n  tolerance: twenty\n  canary: ${stat('A', 'c')}\n  baseline: ${stat('A', 'b')}`,
      'Tolerance "twenty"',
    ],
    [
      `- name: x\n  kind: rate\n  canary: ${stat('A', 'c')}\n  baseline: ${stat('A', 'b')}`,
      '"tolerance" must be a tolerance such as 20%',
    ],
    [
      `- name: x\n  kind: level\n  tolerance: 5%\n  canary: { MetricStat: { Metric: { Namespace: A, MetricName: B }, Stat: Average, Period: 300 } }\n  baseline: ${stat('A', 'b')}`,
      `"Period" must be the gate's period, 60 (or left out); got 300.`,
    ],
    [
      `- name: x\n  kind: rate\n  tolerance: 5%\n  canary: { Id: Bad-Id, Expression: "m1" }\n  baseline: ${stat('A', 'b')}`,
      '"Id" must be a lowercase letter',
    ],
    [
      `- name: x\n  kind: level\n  tolerance: 5%\n  threshold: 3\n  canary: ${stat('A', 'c')}\n  baseline: ${stat('A', 'b')}`,
      'unknown field "threshold"',
    ],
    [
      `- name: a\n  kind: level\n  tolerance: 5%\n  canary: { Id: same, Expression: m }\n  baseline: { Id: same, Expression: m }`,
      'query Id "same" is used twice',
    ],
  ])('rejects %j', (yaml, message) => {
    expect(() => parse(yaml)).toThrow(message);
  });
});

describe('load balancer dimensions', () => {
  it.each([
    ['app/api/50dc6c495c0c9188', 'app/api/50dc6c495c0c9188'],
    [
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188',
      'app/api/50dc6c495c0c9188',
    ],
  ])('load balancer %s -> %s', (input, expected) =>
    expect(loadBalancerDimension(input, 'load-balancer')).toBe(expected),
  );

  it.each([
    ['targetgroup/api-green/6d0ecf831eec9f09', 'targetgroup/api-green/6d0ecf831eec9f09'],
    [
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-green/6d0ecf831eec9f09',
      'targetgroup/api-green/6d0ecf831eec9f09',
    ],
  ])('target group %s -> %s', (input, expected) =>
    expect(targetGroupDimension(input, 'canary-target-group')).toBe(expected),
  );

  it('reads a critical tolerance, for on-timeout promote-if-bounded', () => {
    const parsed = parse(`
- name: requests
  kind: requests
  canary: ${stat('Requests', 'canary')}
  baseline: ${stat('Requests', 'baseline')}
- name: checkout-errors
  kind: rate
  tolerance: 20% or 0.1pp
  critical-tolerance: 100% or 1pp
  canary: ${stat('CheckoutErrors', 'canary')}
  baseline: ${stat('CheckoutErrors', 'baseline')}
`);
    expect(parsed.metrics[0]?.spec.criticalTolerance).toEqual({ relative: 1, absolute: 0.01 });
    expect(() =>
      parse(`
- name: requests
  kind: requests
  canary: ${stat('Requests', 'canary')}
  baseline: ${stat('Requests', 'baseline')}
- name: e
  kind: rate
  tolerance: 20%
  critical-tolerance: twice
  canary: ${stat('E', 'canary')}
  baseline: ${stat('E', 'baseline')}
`),
    ).toThrow(/critical-tolerance: Tolerance "twice": cannot read "twice"/);
  });

  it('names the input on a bad value', () => {
    expect(() => loadBalancerDimension('my-alb', 'load-balancer')).toThrow(
      'Input "load-balancer" must be an Application Load Balancer ARN or its suffix app/<name>/<id>; got "my-alb".',
    );
    expect(() => targetGroupDimension('net/x/1', 'baseline-target-group')).toThrow(
      'Input "baseline-target-group"',
    );
  });
});
