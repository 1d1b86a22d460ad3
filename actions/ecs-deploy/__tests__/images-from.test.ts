import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveImagesFrom } from '../src/images-from/resolve.js';

// What the emulator cannot produce: tasks without a digest, a digest pinned in the task definition,
// and more tasks than one ListTasks page or one DescribeTasks call holds.
const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/api:7';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/api';

function source(options: { image: string; tasks: Task[]; pageSize?: number }) {
  const client = new ECSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
  const ecs = mockClient(client);
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        status: 'ACTIVE',
        taskDefinition: TD,
        deployments: [
          {
            status: 'PRIMARY',
            taskDefinition: TD,
            rolloutState: 'COMPLETED',
            runningCount: 2,
            desiredCount: 2,
          },
        ],
      },
    ],
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: TD,
      containerDefinitions: [{ name: 'app', image: options.image }],
    },
  });
  const arns = options.tasks.map((task) => task.taskArn ?? '');
  const size = options.pageSize ?? 100;
  ecs.on(ListTasksCommand).callsFake((input: { nextToken?: string }) => {
    const at = Number(input.nextToken ?? 0);
    const next = at + size;
    return { taskArns: arns.slice(at, next), ...(next < arns.length ? { nextToken: String(next) } : {}) };
  });
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks?: string[] }) => {
    if ((input.tasks ?? []).length > 100) throw new Error('DescribeTasks takes at most 100 tasks');
    return { tasks: options.tasks.filter((task) => input.tasks?.includes(task.taskArn ?? '')) };
  });
  return { client, ecs };
}

const task = (id: number, digest: string | undefined): Task => ({
  taskArn: `arn:aws:ecs:us-east-1:123456789012:task/dev/${id}`,
  taskDefinitionArn: TD,
  lastStatus: 'RUNNING',
  containers: [{ name: 'app', ...(digest ? { imageDigest: digest } : {}) }],
});

const resolve = (client: ECSClient) =>
  resolveImagesFrom(
    { ecs: client, logger: new MemoryLogger() },
    { cluster: 'dev', service: 'api' },
    'us-east-1',
  );

describe('images-from resolution', () => {
  it('reads every page of tasks and describes them 100 at a time', async () => {
    const tasks = Array.from({ length: 150 }, (_, i) => task(i, D1));
    const { client, ecs } = source({ image: `${REPO}:1.4.0`, tasks, pageSize: 60 });
    const resolved = await resolve(client);
    expect(resolved.containers).toEqual([
      { container: 'app', uri: `${REPO}@${D1}`, digest: D1, runningTasks: 150, pinned: false },
    ]);
    expect(ecs.commandCalls(ListTasksCommand)).toHaveLength(3);
    expect(ecs.commandCalls(DescribeTasksCommand).map((call) => call.args[0].input.tasks?.length)).toEqual([
      100, 50,
    ]);
  });

  it.each<[string, string, Task[], string]>([
    [
      'a task that reports no digest',
      `${REPO}:1.4.0`,
      [task(1, D1), task(2, undefined)],
      'task 2 of dev/api reports no image digest for container "app" (1 of 2 tasks)',
    ],
    ['no running task', `${REPO}:1.4.0`, [], 'no RUNNING task of api:7 in dev/api'],
    [
      'a task that runs another digest than the task definition pins',
      `${REPO}@${D1}`,
      [task(1, D1), task(2, D2)],
      `run different images for container "app" (${D1}: 1 task(s), ${D2}: 1 task(s); the task definition pins ${D1})`,
    ],
  ])('refuses %s: a tag is never used instead', async (_name, image, tasks, message) => {
    const { client } = source({ image, tasks });
    const error = await resolve(client).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(message);
  });

  it('keeps a pin of the task definition, even where a task reports no digest', async () => {
    const { client } = source({ image: `${REPO}:1.4.0@${D2}`, tasks: [task(1, D2), task(2, undefined)] });
    expect((await resolve(client)).containers[0]).toMatchObject({ uri: `${REPO}@${D2}`, pinned: true });
  });
});
