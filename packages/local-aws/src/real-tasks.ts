// Makes the emulator's tasks real: every task the model counts as running (and the tasks an
// in-flight deployment is starting) runs as a container or a process on its own port of 127.0.0.1,
// and is a load balancer target of its revision's target group once its health check answers.
// RunTask's tasks run too, and their real exit codes are what DescribeTasks reports.
//
// Not modelled: ECS waiting for a new task's health check before it counts it as running (the
// model's scale-up time, 60 simulated seconds, is the lead the real task gets), restarting a task
// that exits by itself (it leaves the target group and the record says how it ended), and sidecar
// containers (only the task's first essential container runs).
import { request } from 'node:http';
import {
  DescribeTaskDefinitionCommand,
  ECSClient,
  type ContainerDefinition,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { isInFlight, type Revision, type ServiceRecord } from './ecs-model.js';
import { serviceTasks, taskId } from './ecs-tasks.js';
import type { LocalAws } from './local-aws.js';
import { completeOneOffTask, type OneOffTask } from './one-off-tasks.js';
import { freePort } from '@ecs-ship/testing/free-port';
import { environmentOf, type RunningTask, type TaskRuntime } from './task-runtime.js';

export interface RealTaskRecord {
  kind: 'service' | 'one-off';
  /** cluster/service/task id, or cluster/family/task id for a one-off task. */
  name: string;
  taskId: string;
  taskDefinitionArn: string;
  targetGroupArn?: string;
  /** http://127.0.0.1:PORT of a service task. */
  url?: string;
  pid?: number;
  containerId?: string;
  /** Simulated ms. */
  startedAt: number;
  readyAt?: number;
  stoppedAt?: number;
  exitCode?: number;
  /** Why it could not start. */
  error?: string;
}

export interface RealTasksOptions {
  runtime: TaskRuntime;
  /** What a service task answers 200 on once it serves (default /health). */
  healthPath?: string;
  /** Real ms a task has to answer its health check (default 60 s). */
  healthTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface RealTasks {
  /** Base URLs of the ready tasks of a target group, for the load balancer. */
  targetsOf(targetGroupArn: string): string[];
  records(): RealTaskRecord[];
  /** Stops every task and waits until each has exited. */
  stop(): Promise<void>;
}

interface LiveTask {
  record: RealTaskRecord;
  handle?: RunningTask;
  stopping: boolean;
  ended: Promise<void>;
}

interface WantedTask {
  id: string;
  service: ServiceRecord;
  revision: Revision;
}

export async function startRealTasks(aws: LocalAws, options: RealTasksOptions): Promise<RealTasks> {
  const { runtime } = options;
  const log = options.log ?? (() => undefined);
  const healthPath = options.healthPath ?? '/health';
  const state = aws.model.state;
  // Task definitions are registry data: read from moto directly, so the call log shows the actions' calls only.
  const ecs = new ECSClient({
    region: aws.region,
    endpoint: aws.motoEndpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const definitions = new Map<string, Promise<TaskDefinition>>();
  const definition = (arn: string): Promise<TaskDefinition> => {
    let known = definitions.get(arn);
    if (!known) {
      known = ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })).then((answer) => {
        if (!answer.taskDefinition) throw new Error(`no task definition ${arn}`);
        return answer.taskDefinition;
      });
      definitions.set(arn, known);
    }
    return known;
  };
  const live = new Map<string, LiveTask>();
  const all: LiveTask[] = [];
  let stopped = false;

  const wanted = (): WantedTask[] => {
    const tasks = new Map<string, WantedTask>();
    for (const service of state.services.values()) {
      for (const task of serviceTasks(state, service))
        if (task.lastStatus === 'RUNNING')
          tasks.set(task.id, { id: task.id, service, revision: task.revision });
      // ECS starts a deployment's tasks before it counts them: they get the scale-up time to come up.
      for (const deployment of service.deployments)
        if (isInFlight(deployment) && deployment.rollback === undefined)
          for (let index = 0; index < deployment.requestedTaskCount; index++) {
            const id = taskId(deployment.target.arn, index);
            tasks.set(id, { id, service, revision: deployment.target });
          }
    }
    return [...tasks.values()];
  };

  const startServiceTask = (want: WantedTask): void => {
    const startedAt = aws.clock.now();
    const name = `${want.service.clusterName}/${want.service.name}/${want.id.slice(0, 8)}`;
    const record: RealTaskRecord = {
      kind: 'service',
      name,
      taskId: want.id,
      taskDefinitionArn: want.revision.taskDefinition,
      ...(want.revision.targetGroupArn ? { targetGroupArn: want.revision.targetGroupArn } : {}),
      startedAt,
    };
    const entry: LiveTask = { record, stopping: false, ended: Promise.resolve() };
    entry.ended = (async () => {
      try {
        const container = firstEssential(await definition(want.revision.taskDefinition));
        const port = await freePort();
        if (entry.stopping) return;
        entry.handle = await runtime.launch({
          name,
          image: container.image ?? '',
          ...(container.entryPoint ? { entryPoint: container.entryPoint } : {}),
          ...(container.command ? { command: container.command } : {}),
          ...(container.workingDirectory ? { workingDirectory: container.workingDirectory } : {}),
          environment: { ...environmentOf(container.environment), PORT: String(port), HOST: '127.0.0.1' },
        });
        Object.assign(record, handleIds(entry.handle), { url: `http://127.0.0.1:${port}` });
        if (entry.stopping) void entry.handle.stop();
        const exited = entry.handle.exited.then((code) => {
          record.exitCode = code;
          record.stoppedAt = aws.clock.now();
          if (!entry.stopping) log(`${name} exited by itself with code ${code}; it no longer serves`);
        });
        if (
          await healthy(
            record.url ?? '',
            healthPath,
            options.healthTimeoutMs ?? 60_000,
            () => entry.stopping || record.exitCode !== undefined,
          )
        ) {
          record.readyAt = aws.clock.now();
          log(`${name} (${revisionName(want.revision)}) serves on ${record.url}${where(entry.handle)}`);
        } else if (!entry.stopping && record.exitCode === undefined) {
          log(`${name} did not answer ${healthPath} in time; it gets no traffic`);
        }
        await exited;
      } catch (err) {
        record.error = (err as Error).message;
        record.stoppedAt = aws.clock.now();
        log(`${name} could not start: ${record.error}`);
      }
    })();
    live.set(want.id, entry);
    all.push(entry);
  };

  const stopEntry = (entry: LiveTask): void => {
    if (entry.stopping) return;
    entry.stopping = true;
    void entry.handle?.stop();
  };

  const reconcile = async (): Promise<void> => {
    if (stopped) return;
    const tasks = wanted();
    const ids = new Set(tasks.map((task) => task.id));
    for (const task of tasks) if (!live.has(task.id)) startServiceTask(task);
    for (const [id, entry] of live)
      if (entry.record.kind === 'service' && !ids.has(id)) {
        stopEntry(entry);
        live.delete(id);
      }
  };

  state.realOneOffTasks = {
    launch(task: OneOffTask, containers: ContainerDefinition[], overrides: Array<Record<string, unknown>>) {
      const container = containers.find((c) => c.name === task.subject) ?? containers[0];
      const override = overrides.find((o) => o.name === task.subject) ?? {};
      const name = `${task.clusterName}/${task.family}/${task.id.slice(0, 8)}`;
      const record: RealTaskRecord = {
        kind: 'one-off',
        name,
        taskId: task.id,
        taskDefinitionArn: task.taskDefinitionArn,
        startedAt: aws.clock.now(),
      };
      const entry: LiveTask = { record, stopping: false, ended: Promise.resolve() };
      const command = (override.command as string[] | undefined) ?? container?.command;
      entry.ended = (async () => {
        try {
          entry.handle = await runtime.launch({
            name,
            image: task.containers.find((c) => c.name === task.subject)?.image ?? container?.image ?? '',
            ...(container?.entryPoint ? { entryPoint: container.entryPoint } : {}),
            ...(command ? { command } : {}),
            ...(container?.workingDirectory ? { workingDirectory: container.workingDirectory } : {}),
            environment: {
              ...environmentOf(container?.environment),
              ...environmentOf(override.environment as Array<{ name?: string; value?: string }> | undefined),
            },
            onOutput: (line) => log(`${name}: ${line}`),
          });
          Object.assign(record, handleIds(entry.handle));
          log(
            `${name} runs ${[...(container?.entryPoint ?? []), ...(command ?? [])].join(' ')}${where(entry.handle)}`,
          );
          if (entry.stopping) void entry.handle.stop();
          const code = await entry.handle.exited;
          record.exitCode = code;
          record.stoppedAt = aws.clock.now();
          completeOneOffTask(task, aws.clock.now(), code);
          log(`${name} exited with code ${code}`);
        } catch (err) {
          record.error = (err as Error).message;
          record.stoppedAt = aws.clock.now();
          if (!Number.isFinite(task.stop.at)) {
            const reason = `CannotStartContainerError: ${record.error}`.slice(0, 255);
            task.stop = {
              at: Math.max(aws.clock.now(), task.runningAt ?? 0),
              code: 'TaskFailedToStart',
              reason,
              containerReason: { name: task.subject, reason },
            };
          }
          log(`${name} could not start: ${record.error}`);
        }
      })();
      live.set(task.id, entry);
      all.push(entry);
    },
    stop(task: OneOffTask) {
      const entry = live.get(task.id);
      if (entry) stopEntry(entry);
    },
  };

  const unsubscribe = aws.afterAdvance(reconcile);
  await aws.advance();

  return {
    targetsOf(targetGroupArn) {
      const urls: string[] = [];
      for (const entry of live.values()) {
        const { record } = entry;
        if (
          record.kind === 'service' &&
          record.targetGroupArn === targetGroupArn &&
          record.readyAt !== undefined &&
          record.exitCode === undefined &&
          !entry.stopping &&
          record.url
        )
          urls.push(record.url);
      }
      return urls;
    },
    records: () => all.map((entry) => ({ ...entry.record })),
    async stop() {
      stopped = true;
      unsubscribe();
      state.realOneOffTasks = undefined;
      for (const entry of all) stopEntry(entry);
      await Promise.all(all.map((entry) => entry.ended));
      live.clear();
      ecs.destroy();
    },
  };
}

function firstEssential(definition: TaskDefinition): ContainerDefinition {
  const containers = definition.containerDefinitions ?? [];
  const container = containers.find((c) => c.essential !== false) ?? containers[0];
  if (!container) throw new Error(`${definition.taskDefinitionArn ?? 'task definition'} has no containers`);
  return container;
}

function handleIds(handle: RunningTask): Pick<RealTaskRecord, 'pid' | 'containerId'> {
  return {
    ...(handle.pid !== undefined ? { pid: handle.pid } : {}),
    ...(handle.containerId !== undefined ? { containerId: handle.containerId } : {}),
  };
}

function where(handle: RunningTask): string {
  if (handle.containerId) return ` (container ${handle.containerId.slice(0, 12)})`;
  return handle.pid !== undefined ? ` (pid ${handle.pid})` : '';
}

function revisionName(revision: Revision): string {
  return revision.taskDefinition.split('/').pop() ?? revision.taskDefinition;
}

/** Polls GET url+path until 200 (true), `give up` says so, or the timeout passes (false). */
async function healthy(
  url: string,
  path: string,
  timeoutMs: number,
  giveUp: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !giveUp()) {
    const status = await new Promise<number>((resolve) => {
      const req = request(`${url}${path}`, { timeout: 1_000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', () => resolve(0));
      req.once('timeout', () => req.destroy());
      req.end();
    });
    if (status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
