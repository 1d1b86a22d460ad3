import { ConfigurationError } from '@ecs-ship/shared/errors';

/** What deploy.yml's deploy job records per service (the "Record the outcome" step). */
export interface ServiceRecord {
  order: number;
  /** The run attempt that wrote it: a re-run's record supersedes the earlier attempt's. */
  attempt: number;
  service: string;
  strategy: string;
  status: string;
  smoke?: string;
  gate?: { decision: string; reason: string };
  taskDefinitionArn: string;
  previousTaskDefinitionArn: string;
  deployed: boolean;
}

export interface RevertEntry {
  order: string;
  service: string;
  strategy: string;
  'previous-task-definition-arn': string;
  'task-definition-arn': string;
}

const REVISION = /^arn:aws[\w-]*:ecs:[\w-]+:\d{12}:task-definition\/[\w-]+:\d+$/;

export function parseRecord(text: string, source: string): ServiceRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`${source} is not a deploy record (JSON): ${(error as Error).message}`);
  }
  const record = value as Partial<ServiceRecord>;
  if (
    typeof record.service !== 'string' ||
    typeof record.order !== 'number' ||
    typeof record.status !== 'string'
  ) {
    throw new ConfigurationError(`${source} lacks the service, order or status of a deploy record.`);
  }
  return {
    order: record.order,
    attempt: typeof record.attempt === 'number' ? record.attempt : 1,
    service: record.service,
    strategy: typeof record.strategy === 'string' ? record.strategy : 'rolling',
    status: record.status,
    ...(record.smoke !== undefined ? { smoke: record.smoke } : {}),
    ...(record.gate !== undefined ? { gate: record.gate } : {}),
    taskDefinitionArn: record.taskDefinitionArn ?? '',
    previousTaskDefinitionArn: record.previousTaskDefinitionArn ?? '',
    deployed: record.deployed === true,
  };
}

/**
 * The services a failed run left off the revision they ran before it, last deployed first: each goes
 * back, so the environment ends the run on one version. Across run attempts, "before" is what the
 * first attempt found and "now" follows the newest attempt (a re-run may have redeployed a service,
 * or rolled it back only as far as the first attempt's new revision). A service to return without a
 * revision on record fails closed rather than being skipped silently.
 */
export function planRevert(records: ServiceRecord[]): RevertEntry[] {
  const byService = new Map<string, ServiceRecord[]>();
  for (const record of records)
    byService.set(record.service, [...(byService.get(record.service) ?? []), record]);
  const entries: Array<{ order: number; entry: RevertEntry }> = [];
  for (const [service, attempts] of byService) {
    const ordered = [...attempts].sort((a, b) => a.attempt - b.attempt);
    const first = ordered[0]!;
    const newest = ordered[ordered.length - 1]!;
    const now = newest.deployed ? newest.taskDefinitionArn : newest.previousTaskDefinitionArn;
    const before = first.previousTaskDefinitionArn;
    if (!ordered.some((record) => record.deployed)) continue;
    if (!REVISION.test(before)) {
      throw new ConfigurationError(
        `The record of ${service} has no previous revision to return to (got ${JSON.stringify(before)}).`,
      );
    }
    if (now === before) continue;
    entries.push({
      order: newest.order,
      entry: {
        order: String(newest.order),
        service,
        strategy: newest.strategy,
        'previous-task-definition-arn': before,
        'task-definition-arn': now,
      },
    });
  }
  return entries.sort((a, b) => b.order - a.order).map(({ entry }) => entry);
}
