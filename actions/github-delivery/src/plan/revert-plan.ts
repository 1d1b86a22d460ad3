import { ConfigurationError } from '@ecs-ship/shared/errors';

/** What deploy.yml's deploy job records per service (the "Record the outcome" step). */
export interface ServiceRecord {
  order: number;
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
 * The services a failed run had already taken to the new revision, last deployed first: each goes
 * back to the revision it ran before, so the environment ends the run on one version. A record
 * without a previous revision to return to fails closed rather than being skipped silently.
 */
export function planRevert(records: ServiceRecord[]): RevertEntry[] {
  const deployed = records.filter((record) => record.deployed).sort((a, b) => b.order - a.order);
  return deployed.map((record) => {
    if (!REVISION.test(record.previousTaskDefinitionArn)) {
      throw new ConfigurationError(
        `The record of ${record.service} has no previous revision to return to (got ${JSON.stringify(record.previousTaskDefinitionArn)}).`,
      );
    }
    return {
      order: String(record.order),
      service: record.service,
      strategy: record.strategy,
      'previous-task-definition-arn': record.previousTaskDefinitionArn,
      'task-definition-arn': record.taskDefinitionArn,
    };
  });
}
