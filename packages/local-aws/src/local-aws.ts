import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECSClient } from '@aws-sdk/client-ecs';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Clock } from '@ecs-ship/shared/clock';
import { AwsError, jsonErrorBody, queryErrorBody } from './aws-error.js';
import type { RecordedCall } from './calls.js';
import { advanceDeployments, nextChangeAt, type LifecycleContext } from './deployment-lifecycle.js';
import type { ServiceRecord } from './ecs-model.js';
import { EcsOperations, type OperationOptions } from './ecs-operations.js';
import { EcsState, randomId } from './ecs-state.js';
import { FaultInjector } from './faults.js';
import { nextOneOffChangeAt, recordOf, type RunTaskOutcome, type RunTaskRecord } from './one-off-tasks.js';
import { parseRequest, type ParsedRequest } from './routing.js';
import { DEFAULT_TIMING, type LocalAwsTiming } from './timing.js';
import { TrafficRouter } from './traffic.js';

export interface LocalAwsOptions {
  /** moto_server's endpoint (startMoto().endpoint): everything not modelled goes there. */
  motoEndpoint: string;
  /** Simulated time: a ScaledClock shared with child processes, or a SimulatedClock in-process. */
  clock: Clock;
  region?: string;
  account?: string;
  timing?: Partial<LocalAwsTiming>;
  /** Leave requestedProductionTrafficWeight / requestedTestTrafficWeight out (ECS may). */
  omitTrafficWeights?: boolean;
  /** A new deployment is missing from List/DescribeServiceDeployments for this long (simulated ms). */
  listDelayMs?: number;
  /** Report lifecycleStage PRE_PRODUCTION_TRAFFIC_SHIFT (SDK doc) rather than the stage before it (default true). */
  reportPreProductionStage?: boolean;
  /** PAUSE hooks at PRE_/POST_PRODUCTION_TRAFFIC_SHIFT also wait during a rollback (default false). */
  pauseDuringRollback?: boolean;
  /** Leave DescribeServiceRevisions' resolvedConfiguration out (default false). */
  omitResolvedConfiguration?: boolean;
  /** Real ms between background advances of the model (default 50). */
  tickMs?: number;
}

/** The options a test may change while the emulator runs (`handle.options.omitTrafficWeights = true`). */
export interface LiveOptions extends OperationOptions {
  pauseDuringRollback: boolean;
}

export interface LocalAws {
  /** http://127.0.0.1:PORT: give it to SDK clients as `endpoint` or to dists as AWS_ENDPOINT_URL. */
  endpoint: string;
  /** The moto_server behind it (setup that should not be recorded can go there directly). */
  motoEndpoint: string;
  port: number;
  region: string;
  account: string;
  clock: Clock;
  timing: LocalAwsTiming;
  /** Read on every request: change them between calls. */
  options: LiveOptions;
  /** Every request in arrival order. */
  calls: RecordedCall[];
  callsOf(operation: string): RecordedCall[];
  /** Forgets the recorded calls (e.g. after a fixture's setup). */
  resetCalls(): void;
  faults: FaultInjector;
  /** Tasks of this task definition fail to start from now on (the circuit breaker counts them). */
  failTasksOf(taskDefinitionArn: string, failure?: { reason?: string; exitCode?: number }): void;
  /** Tasks of this task definition start, then crash: the service runs fewer than desired. */
  crashLoop(taskDefinitionArn: string): void;
  /** Undoes failTasksOf and crashLoop for this task definition. */
  healTasksOf(taskDefinitionArn: string): void;
  /**
   * From now on (simulated time) the tag `image` resolves to `digest` (`sha256:` and 64 hex
   * digits): revisions created later run it; tasks of earlier ones keep the digest they resolved.
   */
  setImageDigest(image: string, digest: string): void;
  /**
   * The last running task of this task definition reports `digest` for `container`: what a task
   * started after its tag moved reports when the container has versionConsistency disabled (test
   * control: the emulator does not model that setting or when each task started).
   */
  driftDigest(taskDefinitionArn: string, container: string, digest: string): void;
  /**
   * From now on, RunTask's tasks of this task definition (an ARN, `family:revision`, or a family for
   * every revision; the latest call that names it wins) end as `outcome` says: exit `exitCode`
   * (default 0) from `container` (default the first essential one), or never start
   * (`failToStart`). Tasks already run keep the outcome they were run with.
   */
  exitRunTasksOf(taskDefinition: string, outcome: RunTaskOutcome): void;
  /** Every task RunTask started, in order, as it stands now: what it ran and how it ended. */
  runTasks(): RunTaskRecord[];
  /** Moves the model to clock.now() (rule rewrites included) and resolves when done. */
  advance(): Promise<void>;
  /**
   * SimulatedClock only: moves the clock to `simulatedMs` (never back) and the model with it. With
   * a ScaledClock use clock.sleep and advance().
   */
  advanceTo(simulatedMs: number): Promise<void>;
  /**
   * The next simulated ms at which a deployment or a one-off task changes by itself (undefined: all
   * wait or are done).
   */
  nextChangeAt(): number | undefined;
  /** Runs `listener` after every advance of the model, inside its queue; returns the unsubscriber. */
  afterAdvance(listener: (now: number) => Promise<void>): () => void;
  /** The model and its traffic history, for this package's helpers (synthetic traffic); read only. */
  model: { state: EcsState; traffic: TrafficRouter };
  /** Resolves once queued model work (advances, rule rewrites) has finished. */
  settle(): Promise<void>;
  /** Emulated ECS services by ARN (read-only view for assertions). */
  services(): ServiceRecord[];
  /**
   * Forgets every service, deployment, revision, one-off task and its outcomes, rule rewrite, task
   * fault, injected fault and recorded call, and restores the starting options (pair it with
   * moto.reset() between tests that share one emulator).
   */
  reset(): Promise<void>;
  /** Environment a dist needs to reach this emulator on this clock. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the emulator on a free port of 127.0.0.1 in front of moto. */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '123456789012';
  const timing: LocalAwsTiming = { ...DEFAULT_TIMING, ...options.timing };
  const clientConfig = {
    region,
    endpoint: options.motoEndpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  };
  const ecs = new ECSClient(clientConfig);
  const elbv2 = new ElasticLoadBalancingV2Client(clientConfig);
  const cloudwatch = new CloudWatchClient(clientConfig);
  const state = new EcsState({ region, account });
  const live: LiveOptions = {
    omitTrafficWeights: options.omitTrafficWeights ?? false,
    listDelayMs: options.listDelayMs ?? 0,
    reportPreProductionStage: options.reportPreProductionStage ?? true,
    pauseDuringRollback: options.pauseDuringRollback ?? false,
    omitResolvedConfiguration: options.omitResolvedConfiguration ?? false,
  };
  const initialOptions = { ...live };
  const traffic = new TrafficRouter(elbv2);
  const context: LifecycleContext = {
    state,
    timing,
    traffic,
    pauseDuringRollback: () => live.pauseDuringRollback,
    async alarmsInAlarm(alarmNames) {
      const answer = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarmNames }));
      return (answer.MetricAlarms ?? [])
        .filter((alarm) => alarm.StateValue === 'ALARM')
        .map((alarm) => alarm.AlarmName ?? '');
    },
    addEvent(service, at, message) {
      service.events.unshift({ id: randomId(), createdAt: at, message });
    },
    clockNow: () => clock.now(),
  };
  const operations = new EcsOperations(context, ecs, () => live);
  const listeners = new Set<(now: number) => Promise<void>>();
  const faults = new FaultInjector();
  const calls: RecordedCall[] = [];
  const clock = options.clock;

  // One queue for every change to the model, so that requests and the timer never interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
  const advanceModel = async (): Promise<void> => {
    const now = clock.now();
    await advanceDeployments(context, now);
    for (const listener of listeners) await listener(now);
  };
  const advance = (): Promise<void> => exclusive(advanceModel);

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(jsonErrorBody(new AwsError('ServerException', `local-aws: ${(err as Error).message}`, 500)));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = req.url ?? '/';
    const parsed = parseRequest(req.headers, path, body);
    const call: RecordedCall = {
      at: clock.now(),
      service: parsed.service,
      operation: parsed.operation,
      input: parsed.input,
      status: 0,
    };
    calls.push(call);
    const injected = faults.take(parsed.operation, parsed.input);
    if (injected !== undefined) {
      sendError(res, parsed, injected, call);
      return;
    }
    if (
      parsed.service === 'ecs' &&
      parsed.protocol === 'json' &&
      operations.owns(parsed.operation, parsed.input)
    ) {
      try {
        const result = await exclusive(async () => {
          await advanceModel();
          const answer = await operations.handle(parsed.operation, parsed.input, clock.now());
          // PENDING becomes IN_PROGRESS at once: the answer to UpdateService already sees it.
          await advanceDeployments(context, clock.now());
          return answer;
        });
        call.status = 200;
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomId() });
        res.end(JSON.stringify(result));
      } catch (err) {
        const error =
          err instanceof AwsError ? err : new AwsError('ServerException', (err as Error).message, 500);
        sendError(res, parsed, error, call);
      }
      return;
    }
    // Not modelled: moto answers, byte for byte. Advance first so moto sees current rule weights.
    await advance();
    await forward(req, path, body, res, call);
  }

  async function forward(
    req: IncomingMessage,
    path: string,
    body: Buffer,
    res: ServerResponse,
    call: RecordedCall,
  ): Promise<void> {
    const target = new URL(options.motoEndpoint);
    await new Promise<void>((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path,
          headers: req.headers,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const payload = Buffer.concat(chunks);
            call.status = answer.statusCode ?? 502;
            if (call.status >= 400) call.error = errorName(payload);
            res.writeHead(call.status, answer.headers);
            res.end(payload);
            resolve();
          });
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  // SDK clients keep sockets between polls; a poll every simulated minute is seconds apart in real
  // time, and Node's 5 s default would close them under the client (ECONNRESET). AWS keeps ~60 s.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const timer = setInterval(() => void advance().catch(() => undefined), options.tickMs ?? 50);
  timer.unref();

  return {
    endpoint,
    motoEndpoint: options.motoEndpoint,
    port,
    region,
    account,
    clock,
    timing,
    options: live,
    calls,
    callsOf: (operation) => calls.filter((call) => call.operation === operation),
    resetCalls() {
      calls.length = 0;
    },
    faults,
    failTasksOf(taskDefinitionArn, failure = {}) {
      state.taskFaults.failing.set(taskDefinitionArn, {
        since: clock.now(),
        reason: failure.reason ?? 'Essential container in task exited',
        exitCode: failure.exitCode ?? 1,
      });
    },
    crashLoop(taskDefinitionArn) {
      state.taskFaults.crashLooping.add(taskDefinitionArn);
    },
    healTasksOf(taskDefinitionArn) {
      state.taskFaults.failing.delete(taskDefinitionArn);
      state.taskFaults.crashLooping.delete(taskDefinitionArn);
    },
    setImageDigest(image, digest) {
      state.imageDigests.set(image, digest, clock.now());
    },
    driftDigest(taskDefinitionArn, container, digest) {
      state.imageDigests.drift(taskDefinitionArn, container, digest);
    },
    exitRunTasksOf(taskDefinition, outcome) {
      state.runTaskOutcomes.set(taskDefinition, { ...outcome });
    },
    runTasks: () => [...state.oneOffTasks.values()].map((task) => recordOf(task, clock.now())),
    advance,
    async advanceTo(simulatedMs) {
      const movable = clock as { advance?: (ms: number) => void };
      if (typeof movable.advance !== 'function')
        throw new Error(
          'advanceTo needs a clock with advance(ms) (SimulatedClock); a ScaledClock runs on its own',
        );
      const ahead = simulatedMs - clock.now();
      if (ahead > 0) movable.advance(ahead);
      await advance();
    },
    nextChangeAt() {
      const deployments = nextChangeAt(context);
      const tasks = nextOneOffChangeAt(state.oneOffTasks.values(), clock.now());
      if (deployments === undefined || tasks === undefined) return deployments ?? tasks;
      return Math.min(deployments, tasks);
    },
    afterAdvance(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    model: { state, traffic },
    reset: () =>
      exclusive(async () => {
        state.services.clear();
        state.deployments.clear();
        state.revisions.clear();
        state.taskFaults.failing.clear();
        state.taskFaults.crashLooping.clear();
        state.imageDigests.clear();
        state.oneOffTasks.clear();
        state.runTaskOutcomes.clear();
        traffic.history.length = 0;
        faults.clear();
        calls.length = 0;
        Object.assign(live, initialOptions);
      }),
    settle: () => exclusive(async () => undefined),
    services: () => [...state.services.values()],
    env() {
      const switchValue = (clock as { toSwitch?: () => string }).toSwitch?.();
      return {
        AWS_ENDPOINT_URL: endpoint,
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...(switchValue ? { ECS_SHIP_CLOCK: switchValue } : {}),
      };
    },
    async stop() {
      clearInterval(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await queue;
      ecs.destroy();
      elbv2.destroy();
      cloudwatch.destroy();
    },
  };
}

function sendError(res: ServerResponse, parsed: ParsedRequest, error: AwsError, call: RecordedCall): void {
  call.status = error.status;
  call.error = error.code;
  if (parsed.protocol === 'query') {
    res.writeHead(error.status, { 'content-type': 'text/xml' });
    res.end(queryErrorBody(error));
    return;
  }
  res.writeHead(error.status, {
    'content-type':
      parsed.service === 'cloudwatch' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
    'x-amzn-errortype': error.code,
  });
  res.end(jsonErrorBody(error));
}

function errorName(payload: Buffer): string {
  const text = payload.toString('utf8');
  const json = /"__type"\s*:\s*"(?:[^"#]*#)?([^"]+)"/.exec(text);
  if (json?.[1]) return json[1];
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? 'Error';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
