import type { Service, ServiceDeployment } from '@aws-sdk/client-ecs';
import { shortTaskDefinition } from '../revision/task-definition.js';

/** One look at a deployment: the service deployment (native) and/or the service (rolling counts, events). */
export interface Observation {
  at: number;
  deployment?: ServiceDeployment;
  service?: Service;
}

export interface RevisionState {
  label: string;
  role: 'new' | 'old';
  running: number;
  pending: number;
  desired: number;
  production?: number;
  test?: number;
}

/** What the progress log compares between two looks. Pure data, no dates. */
export interface Snapshot {
  status?: string;
  stage?: string;
  revisions: RevisionState[];
  alarms?: { status: string; triggered: string[] };
  breaker?: { status: string; failures: number; threshold: number };
  hooks: Array<{ id: string; status: string; expiresAt?: string; timeoutAction?: string }>;
  rollbackReason?: string;
  statusReason?: string;
  events: Array<{ id: string; message: string }>;
}

export function snapshotOf(observation: Observation): Snapshot {
  const d = observation.deployment;
  const snapshot: Snapshot = { revisions: [], hooks: [], events: [] };
  if (d) {
    if (d.status) snapshot.status = d.status;
    if (d.lifecycleStage) snapshot.stage = d.lifecycleStage;
    const revision = (
      role: 'new' | 'old',
      summary: NonNullable<ServiceDeployment['targetServiceRevision']>,
    ): RevisionState => ({
      label: revisionLabel(summary.arn),
      role,
      running: summary.runningTaskCount ?? 0,
      pending: summary.pendingTaskCount ?? 0,
      desired: summary.requestedTaskCount ?? 0,
      ...(summary.requestedProductionTrafficWeight !== undefined
        ? { production: summary.requestedProductionTrafficWeight }
        : {}),
      ...(summary.requestedTestTrafficWeight !== undefined
        ? { test: summary.requestedTestTrafficWeight }
        : {}),
    });
    if (d.targetServiceRevision) snapshot.revisions.push(revision('new', d.targetServiceRevision));
    for (const source of d.sourceServiceRevisions ?? []) snapshot.revisions.push(revision('old', source));
    if (d.alarms?.status)
      snapshot.alarms = { status: d.alarms.status, triggered: d.alarms.triggeredAlarmNames ?? [] };
    if (d.deploymentCircuitBreaker?.status) {
      snapshot.breaker = {
        status: d.deploymentCircuitBreaker.status,
        failures: d.deploymentCircuitBreaker.failureCount ?? 0,
        threshold: d.deploymentCircuitBreaker.threshold ?? 0,
      };
    }
    snapshot.hooks = (d.lifecycleHookDetails ?? []).map((hook) => ({
      id: hook.hookId ?? '?',
      status: hook.status ?? '?',
      ...(hook.expiresAt ? { expiresAt: hook.expiresAt.toISOString() } : {}),
      ...(hook.timeoutAction ? { timeoutAction: hook.timeoutAction } : {}),
    }));
    if (d.rollback?.reason) snapshot.rollbackReason = d.rollback.reason;
    if (d.statusReason) snapshot.statusReason = d.statusReason;
  }
  const service = observation.service;
  if (service) {
    if (!d) {
      const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
      if (primary?.rolloutState) snapshot.status = primary.rolloutState;
      if (primary?.rolloutStateReason) snapshot.statusReason = primary.rolloutStateReason;
      for (const deployment of service.deployments ?? []) {
        snapshot.revisions.push({
          label: shortTaskDefinition(deployment.taskDefinition),
          role: deployment.status === 'PRIMARY' ? 'new' : 'old',
          running: deployment.runningCount ?? 0,
          pending: deployment.pendingCount ?? 0,
          desired: deployment.desiredCount ?? 0,
        });
      }
    }
    snapshot.events = (service.events ?? [])
      .slice(0, 10)
      .map((event) => ({ id: event.id ?? '', message: event.message ?? '' }));
  }
  return snapshot;
}

/** The log lines for what changed since the previous look (everything, on the first look). */
export function describeChanges(previous: Snapshot | undefined, next: Snapshot): string[] {
  const lines: string[] = [];
  if (next.status !== previous?.status && next.status)
    lines.push(`status ${previous?.status ? `${previous.status} → ` : ''}${next.status}`);
  if (next.stage !== previous?.stage && next.stage)
    lines.push(`stage ${previous?.stage ? `${previous.stage} → ` : ''}${next.stage}`);
  const before = new Map(
    (previous?.revisions ?? []).map((revision) => [revision.label, describeRevision(revision)]),
  );
  for (const revision of next.revisions) {
    const text = describeRevision(revision);
    if (before.get(revision.label) !== text) lines.push(text);
  }
  const alarms = next.alarms;
  if (alarms && JSON.stringify(alarms) !== JSON.stringify(previous?.alarms)) {
    lines.push(
      `alarms ${alarms.status}${alarms.triggered.length > 0 ? `: triggered ${alarms.triggered.join(', ')}` : ''}`,
    );
  }
  const breaker = next.breaker;
  if (breaker && JSON.stringify(breaker) !== JSON.stringify(previous?.breaker)) {
    lines.push(
      `circuit breaker ${breaker.status}: ${breaker.failures} failed task(s) of ${breaker.threshold} allowed`,
    );
  }
  const hooksBefore = new Map((previous?.hooks ?? []).map((hook) => [hook.id, hook.status]));
  for (const hook of next.hooks) {
    if (hooksBefore.get(hook.id) === hook.status) continue;
    const until =
      hook.status === 'AWAITING_ACTION' && hook.expiresAt
        ? ` until ${hook.expiresAt}, then ${hook.timeoutAction ?? 'ROLLBACK'}`
        : '';
    lines.push(`lifecycle hook ${hook.id}: ${hook.status}${until}`);
  }
  if (next.rollbackReason && next.rollbackReason !== previous?.rollbackReason)
    lines.push(`rollback: ${next.rollbackReason}`);
  if (next.statusReason && next.statusReason !== previous?.statusReason)
    lines.push(`reason: ${next.statusReason}`);
  const seen = new Set((previous?.events ?? []).map((event) => event.id));
  // Service events arrive newest first; log the new ones oldest first. The first look shows only the newest.
  const fresh = next.events.filter((event) => !seen.has(event.id));
  for (const event of (previous ? fresh : fresh.slice(0, 1)).reverse()) lines.push(`event: ${event.message}`);
  return lines;
}

function describeRevision(revision: RevisionState): string {
  const traffic = [
    revision.production !== undefined ? `production ${revision.production}%` : '',
    revision.test !== undefined ? `test ${revision.test}%` : '',
  ].filter((part) => part !== '');
  return `${revision.role} ${revision.label}: running ${revision.running}, pending ${revision.pending}, desired ${revision.desired}${traffic.length > 0 ? `; ${traffic.join(', ')}` : ''}`;
}

/** The last path segment of a service revision ARN (or a task definition's family:revision). */
export function revisionLabel(arn: string | undefined): string {
  if (!arn) return '?';
  return `revision ${arn.slice(arn.lastIndexOf('/') + 1)}`;
}
