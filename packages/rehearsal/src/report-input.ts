// Turns what the rehearsal recorded (steps, the load balancers' routing and minutes, the emulator's
// call log and revisions) into the report's data.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalAws } from '@ecs-ship/local-aws/local-aws';
import { servingRevision } from '@ecs-ship/local-aws/synthetic-alb-traffic';
import type { ReportCall, ReportMarker, ReportSeries, ReportStep } from './report/report-data.js';
import type { StepTiming } from './step-recorder.js';
import { ENVIRONMENTS, type Environment, type EnvironmentName } from './world.js';

/** Writes each step's job summary to steps/NN-<slug>.md and returns the report's steps. */
export function writeStepSummaries(dir: string, steps: StepTiming[]): ReportStep[] {
  mkdirSync(path.join(dir, 'steps'), { recursive: true });
  const withSummary = steps.filter((step) => step.summary.trim() !== '');
  return withSummary.map((step, index) => {
    const slug = `${step.workflow} ${step.job} ${step.step}`
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80);
    const summaryFile = `steps/${String(index + 1).padStart(2, '0')}-${slug}.md`;
    writeFileSync(path.join(dir, summaryFile), step.summary);
    return {
      index: index + 1,
      workflow: step.workflow,
      job: step.job,
      step: step.step,
      conclusion: step.conclusion,
      startedAt: step.simStart,
      endedAt: step.simEnd,
      summary: step.summary,
      summaryFile,
    };
  });
}

function revisionLabel(taskDefinitionArn: string): string {
  return taskDefinitionArn.split('/').pop() ?? taskDefinitionArn;
}

/** Each revision's production share over time, per environment, from the weights the load balancer routed by. */
export function trafficSeries(
  aws: LocalAws,
  environments: Record<EnvironmentName, Environment>,
  end: number,
): ReportSeries[] {
  const series: ReportSeries[] = [];
  for (const name of ENVIRONMENTS) {
    const changes = environments[name].loadBalancer
      .weightChanges()
      .filter((change) => change.listener === 'production');
    const revisionTimes = [...aws.model.state.revisions.values()]
      .filter(
        (revision) => revision.clusterArn.endsWith(`/ml-${name}`) && revision.serviceArn.endsWith('/api'),
      )
      .map((revision) => revision.createdAt);
    const moments = [...new Set([...changes.map((change) => change.at), ...revisionTimes, end])].sort(
      (a, b) => a - b,
    );
    const byRevision = new Map<string, ReportSeries>();
    for (const at of moments) {
      let current = changes[0];
      for (const change of changes) if (change.at <= at) current = change;
      if (!current) continue;
      const shares = new Map<string, number>();
      for (const group of current.weights) {
        const revision = servingRevision(aws, group.targetGroupArn, at);
        if (revision) shares.set(revision, (shares.get(revision) ?? 0) + group.percent);
      }
      for (const known of byRevision.keys()) if (!shares.has(known)) shares.set(known, 0);
      for (const [revision, percent] of shares) {
        let entry = byRevision.get(revision);
        if (!entry) {
          const group = current.weights.find(
            (weight) => servingRevision(aws, weight.targetGroupArn, at) === revision,
          );
          entry = {
            environment: name,
            service: 'api',
            targetGroup: group?.targetGroupArn ?? '',
            revision: revisionLabel(revision),
            points: [],
          };
          byRevision.set(revision, entry);
        }
        entry.points.push({ at, percent });
      }
    }
    series.push(...byRevision.values());
  }
  return series;
}

export function callLog(aws: LocalAws): ReportCall[] {
  return aws.calls.map((call) => {
    const input = call.input as Record<string, unknown>;
    const cluster = typeof input.cluster === 'string' ? input.cluster : '';
    const environment = ENVIRONMENTS.find((name) => cluster.endsWith(`ml-${name}`));
    return {
      at: call.at,
      service: call.service,
      operation: call.operation,
      status: call.status,
      ...(call.error ? { error: call.error } : {}),
      ...(environment ? { environment } : {}),
    };
  });
}

export function trafficTable(environments: Record<EnvironmentName, Environment>) {
  return ENVIRONMENTS.flatMap((name) =>
    environments[name].loadBalancer.minutes
      .filter((minute) => minute.requests > 0)
      .map((minute) => ({
        environment: name,
        periodStart: minute.periodStart,
        targetGroup: minute.targetGroupArn.split(':').pop() ?? minute.targetGroupArn,
        requests: minute.requests,
        target5xx: minute.target5xx,
        latencyAvgMs: (minute.latencySum / Math.max(1, minute.requests - minute.connectionErrors)) * 1000,
      })),
  );
}

export type { ReportMarker };
