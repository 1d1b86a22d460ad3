import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import {
  expectObject,
  fieldError,
  optionalBoolean,
  optionalString,
  type PlainObject,
} from '@ecs-ship/shared/structure';
import { expandFilePattern } from './file-glob.js';

/** What a deploy job wrote about one service it deployed. */
export interface DeployRecord {
  service: string;
  strategy?: string;
  status?: string;
  taskDefinitionArn?: string;
  previousTaskDefinitionArn?: string;
  rolledBack: boolean;
  reason?: string;
  /** The run attempt that wrote it (a re-run's record supersedes the earlier attempt's). */
  attempt?: number;
  /** The file it came from, relative to the workspace. */
  source: string;
}

/** Statuses of ecs-deploy (`status` output) that mean the service does not run the new revision. */
const NOT_DEPLOYED = new Set(['failed', 'rolled-back', 'superseded', 'cancelled']);

export function recordSucceeded(record: DeployRecord): boolean {
  return !record.rolledBack && !NOT_DEPLOYED.has((record.status ?? '').toLowerCase());
}

/**
 * Every record the patterns match (each file one record or a list of them). A pattern that matches
 * nothing is reported, not fatal: a deploy job that failed early may have written none. Patterns are
 * read in order and a later record of a service replaces an earlier one: a revert job's record
 * ("returned to its previous revision") supersedes what the deploy job wrote for that service.
 */
export function loadRecords(
  patterns: readonly string[],
  workspace: string,
): { records: DeployRecord[]; unmatched: string[] } {
  const byService = new Map<string, DeployRecord>();
  const unmatched: string[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    const matched = expandFilePattern(pattern, workspace);
    if (matched.length === 0) unmatched.push(pattern);
    for (const file of matched.filter((candidate) => !seen.has(candidate)).sort()) {
      seen.add(file);
      // A Map keeps the first position of a key: the table stays in deploy order.
      for (const record of readRecordFile(file, workspace)) {
        const seen = byService.get(record.service);
        if (seen === undefined || (record.attempt ?? 1) >= (seen.attempt ?? 1))
          byService.set(record.service, record);
      }
    }
  }
  return { records: [...byService.values()], unmatched };
}

function readRecordFile(file: string, workspace: string): DeployRecord[] {
  const source = path.relative(workspace, file) || file;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new ConfigurationError(
      `Input "records": ${source} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.map((item, index) => {
    const where = `Input "records": ${source}${Array.isArray(parsed) ? ` item ${index + 1}` : ''}`;
    return parseRecord(expectObject(item, where), where, source);
  });
}

export function parseRecord(object: PlainObject, where: string, source: string): DeployRecord {
  const service = optionalString(object, 'service', where);
  if (service === undefined)
    throw fieldError(where, 'service', 'the name of the service deployed', undefined);
  const text = (field: string) => (object[field] === '' ? undefined : optionalString(object, field, where));
  const strategy = text('strategy');
  const status = text('status');
  const taskDefinitionArn = text('taskDefinitionArn');
  const previousTaskDefinitionArn = text('previousTaskDefinitionArn');
  const reason = text('reason');
  return {
    service,
    ...(strategy !== undefined ? { strategy } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(taskDefinitionArn !== undefined ? { taskDefinitionArn } : {}),
    ...(previousTaskDefinitionArn !== undefined ? { previousTaskDefinitionArn } : {}),
    rolledBack: optionalBoolean(object, 'rolledBack', where) ?? false,
    ...(typeof object.attempt === 'number' ? { attempt: object.attempt } : {}),
    ...(reason !== undefined ? { reason } : {}),
    source,
  };
}

/** `family:revision` of a task definition ARN, which is what a person recognises. */
export function shortTaskDefinition(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  return /task-definition\/(.+)$/.exec(arn)?.[1] ?? arn;
}

/** GitHub keeps at most 140 characters of a deployment status description. */
export const STATUS_DESCRIPTION_LIMIT = 140;

/**
 * The records in a few words for the deployment status: each service and how it ended, or counts
 * per outcome when the list would not fit beside `lead` (the description input).
 */
export function describeRecords(
  records: readonly DeployRecord[],
  lead?: string,
  limit = STATUS_DESCRIPTION_LIMIT,
): string | undefined {
  const join = (text: string) => (lead ? `${lead} · ${text}` : text);
  if (records.length === 0) return lead;
  const outcome = (record: DeployRecord) =>
    record.rolledBack ? 'rolled back' : (record.status ?? 'unknown');
  const each = join(records.map((record) => `${record.service}: ${outcome(record)}`).join(', '));
  if (each.length <= limit) return each;
  const counts = new Map<string, number>();
  for (const record of records) counts.set(outcome(record), (counts.get(outcome(record)) ?? 0) + 1);
  const summary = join(
    `${records.length} services: ${[...counts].map(([what, count]) => `${count} ${what}`).join(', ')}`,
  );
  return summary.length <= limit ? summary : `${summary.slice(0, limit - 1)}…`;
}
