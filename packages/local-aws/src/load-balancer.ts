// A local Application Load Balancer for the emulator's services: HTTP on 127.0.0.1, one port for the
// production listener and one for the test listener, forwarding each request to a ready task of a
// target group chosen by the weights the deployment wrote into the listener rule (the emulator's
// rule rewrites, at the simulated moment each was made). It counts every request per target group
// and simulated minute and publishes the counts to CloudWatch as AWS/ApplicationELB metrics, so a
// gate judges measurements of real requests.
//
// Not modelled: health-check-driven target registration delays, deregistration delay (a stopped task
// leaves at once), sticky sessions, and several services behind one load balancer (the first
// service's rules are used).
import {
  createServer,
  request,
  Agent,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { albDatums, albMetricsClient, putAlbMetrics, type AlbMinute } from './alb-metrics.js';
import type { LocalAws } from './local-aws.js';
import { percentOf, type GroupWeight } from './traffic.js';

const MINUTE = 60_000;
/** Simulated ms after a minute's end before it is published: requests of its last moments have finished. */
const PUBLISH_GRACE_MS = 30_000;

export type ListenerName = 'production' | 'test';

export interface WeightChange {
  /** Simulated ms. */
  at: number;
  listener: ListenerName;
  ruleArn: string;
  weights: Array<{ targetGroupArn: string; percent: number }>;
}

export interface LocalLoadBalancerOptions {
  /** The ELBv2 load balancer (moto) whose listener rules the service's deployments rewrite. */
  loadBalancerArn: string;
  /** Base URLs of the ready targets of a group (RealTasks.targetsOf). */
  targets: (targetGroupArn: string) => string[];
  /** Publish per-minute metrics to CloudWatch (default true). */
  publish?: boolean;
  log?: (line: string) => void;
}

export interface LocalLoadBalancer {
  productionUrl: string;
  /** Undefined when the service has no test listener rule. */
  testUrl?: string;
  /** The LoadBalancer dimension: app/<name>/<id>. */
  dimension: string;
  /** Every minute published, in order. */
  minutes: AlbMinute[];
  /** The weights each listener routed by, from the start on. */
  weightChanges(): WeightChange[];
  /** Requests answered 503 by the load balancer itself: no ready target in the chosen group. */
  noTarget(): number;
  stop(): Promise<void>;
}

interface Bucket extends AlbMinute {
  latencies: number;
}

export async function startLocalLoadBalancer(
  aws: LocalAws,
  options: LocalLoadBalancerOptions,
): Promise<LocalLoadBalancer> {
  const dimension = options.loadBalancerArn.slice(
    options.loadBalancerArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length,
  );
  const rules = listenerRules(aws, dimension);
  const startedAt = aws.clock.now();
  const baseline = new Map<ListenerName, GroupWeight[]>();
  for (const [listener, rule] of rules) baseline.set(listener, await aws.model.traffic.readWeights(rule));
  const log = options.log ?? (() => undefined);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const cloudwatch = albMetricsClient(aws);
  const buckets = new Map<string, Bucket>();
  const minutes: AlbMinute[] = [];
  const rotation = new Map<string, number>();
  let noTarget = 0;
  let next = Math.floor(startedAt / MINUTE) * MINUTE;
  let stopped = false;

  const weightsAt = (listener: ListenerName, at: number): GroupWeight[] => {
    const rule = rules.get(listener);
    let weights = baseline.get(listener) ?? [];
    for (const change of aws.model.traffic.history)
      if (change.ruleArn === rule && change.at <= at) weights = change.weights;
    return weights;
  };

  const bucketOf = (periodStart: number, targetGroupArn: string): Bucket => {
    const key = `${periodStart}|${targetGroupArn}`;
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = {
        periodStart,
        targetGroupArn,
        requests: 0,
        target5xx: 0,
        connectionErrors: 0,
        latencySum: 0,
        unhealthy: 0,
        latencies: 0,
      };
      buckets.set(key, bucket);
    }
    return bucket;
  };

  const forward = (listener: ListenerName) => (req: IncomingMessage, res: ServerResponse) => {
    const at = aws.clock.now();
    const group = pick(weightsAt(listener, at));
    const targets = group ? options.targets(group) : [];
    if (!group || targets.length === 0) {
      noTarget += 1;
      req.resume();
      res
        .writeHead(503, { 'content-type': 'text/plain' })
        .end('503 Service Temporarily Unavailable: no healthy target\n');
      return;
    }
    const turn = rotation.get(group) ?? 0;
    rotation.set(group, turn + 1);
    const target = new URL(targets[turn % targets.length] ?? '');
    const bucket = bucketOf(Math.floor(at / MINUTE) * MINUTE, group);
    bucket.requests += 1;
    const started = process.hrtime.bigint();
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const status = answer.statusCode ?? 502;
        if (status >= 500) bucket.target5xx += 1;
        bucket.latencySum += seconds;
        bucket.latencyMin = Math.min(bucket.latencyMin ?? seconds, seconds);
        bucket.latencyMax = Math.max(bucket.latencyMax ?? seconds, seconds);
        bucket.latencies += 1;
        res.writeHead(status, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.once('error', () => {
      bucket.connectionErrors += 1;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('502 Bad Gateway\n');
    });
    req.pipe(upstream);
  };

  let logged = aws.model.traffic.history.length;
  const logWeightChanges = (): void => {
    const history = aws.model.traffic.history;
    for (; logged < history.length; logged++) {
      const change = history[logged];
      const listener = [...rules].find(([, rule]) => rule === change?.ruleArn)?.[0];
      if (!change || !listener) continue;
      const shares = change.weights
        .map(
          (weight) =>
            `${Math.round(percentOf(change.weights, weight.targetGroupArn) * 10) / 10}% → ${groupName(weight.targetGroupArn)}`,
        )
        .join(', ');
      log(`${listener} listener now forwards ${shares}`);
    }
  };

  const publish = async (now: number): Promise<void> => {
    logWeightChanges();
    if (stopped || options.publish === false) return;
    const data: MetricDatum[] = [];
    while (next + MINUTE + PUBLISH_GRACE_MS <= now) {
      const groups = new Set<string>();
      for (const listener of rules.keys())
        for (const weight of [
          ...(baseline.get(listener) ?? []),
          ...aws.model.traffic.history
            .filter((c) => c.ruleArn === rules.get(listener))
            .flatMap((c) => c.weights),
        ])
          groups.add(weight.targetGroupArn);
      for (const group of groups) {
        const bucket = buckets.get(`${next}|${group}`) ?? bucketOf(next, group);
        buckets.delete(`${next}|${group}`);
        const { latencies: _answered, ...minute } = bucket;
        minutes.push(minute);
        data.push(...albDatums(dimension, minute));
      }
      next += MINUTE;
    }
    await putAlbMetrics(cloudwatch, data);
  };
  const unsubscribe = aws.afterAdvance(publish);

  const servers: Server[] = [];
  const listen = async (listener: ListenerName): Promise<string> => {
    const server = createServer(forward(listener));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const productionUrl = await listen('production');
  const testUrl = rules.has('test') ? await listen('test') : undefined;
  log(`load balancer ${dimension}: production ${productionUrl}${testUrl ? `, test ${testUrl}` : ''}`);

  return {
    productionUrl,
    ...(testUrl ? { testUrl } : {}),
    dimension,
    minutes,
    weightChanges() {
      const changes: WeightChange[] = [];
      for (const [listener, rule] of rules) {
        const toPercent = (weights: GroupWeight[]) =>
          weights.map((weight) => ({
            targetGroupArn: weight.targetGroupArn,
            percent: percentOf(weights, weight.targetGroupArn),
          }));
        changes.push({
          at: startedAt,
          listener,
          ruleArn: rule,
          weights: toPercent(baseline.get(listener) ?? []),
        });
        for (const change of aws.model.traffic.history)
          if (change.ruleArn === rule)
            changes.push({ at: change.at, listener, ruleArn: rule, weights: toPercent(change.weights) });
      }
      return changes.sort((a, b) => a.at - b.at);
    },
    noTarget: () => noTarget,
    async stop() {
      stopped = true;
      unsubscribe();
      await Promise.all(
        servers.map((server) => {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeAllConnections();
          return closed;
        }),
      );
      agent.destroy();
      cloudwatch.destroy();
    },
  };
}

/** The production and test listener rules of the services behind this load balancer. */
function listenerRules(aws: LocalAws, dimension: string): Map<ListenerName, string> {
  const rules = new Map<ListenerName, string>();
  for (const service of aws.model.state.services.values())
    for (const lb of service.loadBalancers) {
      const production = lb.advancedConfiguration?.productionListenerRule;
      const test = lb.advancedConfiguration?.testListenerRule;
      if (production?.includes(`/${dimension}/`) && !rules.has('production')) {
        rules.set('production', production);
        if (test) rules.set('test', test);
      }
    }
  if (!rules.has('production'))
    throw new Error(`startLocalLoadBalancer: no service has a production listener rule on ${dimension}`);
  return rules;
}

/** targetgroup/<name>/<id> → <name>. */
function groupName(targetGroupArn: string): string {
  return /targetgroup\/([^/]+)\//.exec(targetGroupArn)?.[1] ?? targetGroupArn;
}

/** A target group drawn by the rule's weights (undefined when every weight is 0). */
function pick(weights: GroupWeight[]): string | undefined {
  const total = weights.reduce((sum, weight) => sum + weight.weight, 0);
  if (total <= 0) return undefined;
  let draw = Math.random() * total;
  for (const weight of weights) {
    draw -= weight.weight;
    if (draw < 0) return weight.targetGroupArn;
  }
  return weights[weights.length - 1]?.targetGroupArn;
}
