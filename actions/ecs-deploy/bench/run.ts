/**
 * ecs-deploy benchmark: API calls and wall time of the action's own work, against the official
 * action's waiter pattern (bench/reference-waiter.ts), plus bundle size and cold start.
 *   npx tsx actions/ecs-deploy/bench/run.ts        (needs moto_server on PATH and a built dist/)
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { systemClock } from '@ecs-ship/shared/clock';
import { formatDuration } from '@ecs-ship/shared/duration';
import { silentLogger } from '@ecs-ship/shared/logger';
import { startHttpServer } from '@ecs-ship/testing/http-server';
import { motoClientConfig, startMoto } from '@ecs-ship/testing/moto';
import { deployService } from '../src/deployment/deploy.js';
import { MemoryState } from '../src/state.js';
import {
  readInputs,
  reportFor,
  scenario,
  trafficShiftingService,
} from '../__tests__/__fixtures__/lifecycle.js';
import { CANARY_30_MIN } from './canary-script.js';
import { referenceWaitUntilServicesStable, seeded } from './reference-waiter.js';

const actionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.5.0';
const rows: string[][] = [];
const out = (text: string) => process.stdout.write(`${text}\n`);

/**
 * Calls up to and including UpdateService (validation, registration, the update) and calls after it
 * (the wait): the official action's waiter is compared with ecs-deploy's wait on the second count.
 */
function split(names: readonly string[]): { setup: number; wait: number } {
  const update = names.indexOf('UpdateServiceCommand');
  const setup = update < 0 ? names.length : update + 1;
  return { setup, wait: names.length - setup };
}

function counted(client: ECSClient): { names: string[] } {
  const record = { names: [] as string[] };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      record.names.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'benchCounter' },
  );
  return record;
}

async function rollingOnMoto(): Promise<void> {
  const moto = await startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '2' } });
  try {
    const setup = async () => {
      await moto.reset();
      const ecs = new ECSClient(motoClientConfig(moto.endpoint));
      await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
      const td = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'api',
          containerDefinitions: [{ name: 'api', image: 'api:1.4.0', memory: 512 }],
        }),
      );
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'prod',
          serviceName: 'api',
          taskDefinition: td.taskDefinition?.taskDefinitionArn,
          desiredCount: 2,
        }),
      );
      ecs.destroy();
    };

    await setup();
    const ours = new ECSClient(motoClientConfig(moto.endpoint));
    const ourCalls = counted(ours);
    const inputs = readInputs({ cluster: 'prod', service: 'api', images: `api=${IMAGE}`, wait: 'stable' });
    const report = reportFor(inputs, systemClock);
    let started = performance.now();
    await deployService(
      { ecs: ours, logger: silentLogger, clock: systemClock },
      inputs,
      report,
      new MemoryState(),
    );
    const ourMs = performance.now() - started;
    if (report.status !== 'succeeded') throw new Error(`rolling on moto ended ${report.status}`);

    await setup();
    const reference = new ECSClient(motoClientConfig(moto.endpoint));
    const refCalls = counted(reference);
    started = performance.now();
    const service = (
      await reference.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }))
    ).services?.[0];
    const td = await reference.send(
      new RegisterTaskDefinitionCommand({
        family: 'api',
        containerDefinitions: [{ name: 'api', image: IMAGE, memory: 512 }],
      }),
    );
    await reference.send(
      new UpdateServiceCommand({
        cluster: 'prod',
        service: service?.serviceName,
        taskDefinition: td.taskDefinition?.taskDefinitionArn,
      }),
    );
    await referenceWaitUntilServicesStable(
      reference,
      { cluster: 'prod', service: 'api' },
      systemClock,
      seeded(1),
    );
    const refMs = performance.now() - started;
    const ourSplit = split(ourCalls.names);
    const refSplit = split(refCalls.names);
    rows.push([
      'Rolling deploy, moto completes at once',
      'ecs-deploy',
      String(ourSplit.setup),
      String(ourSplit.wait),
      `${ourMs.toFixed(0)} ms`,
      'first look',
    ]);
    rows.push([
      '',
      'reference (waiter, 15 s min)',
      String(refSplit.setup),
      String(refSplit.wait),
      `${refMs.toFixed(0)} ms`,
      'first look',
    ]);
    out(`<!-- ecs-deploy calls on moto: ${ourCalls.names.join(', ')} -->`);
    ours.destroy();
    reference.destroy();
  } finally {
    await moto.stop();
  }
}

async function scriptedCanary(): Promise<void> {
  // ecs-deploy's poll has jitter too: the mean of 20 runs.
  const runs = 20;
  let ourSetup = 0;
  let ourWait = 0;
  let ourLate = 0;
  let ourMax = 0;
  const wall = performance.now();
  for (let run = 0; run < runs; run++) {
    const s = scenario({ service: trafficShiftingService('CANARY'), phases: CANARY_30_MIN.phases });
    const inputs = readInputs({
      cluster: 'prod',
      service: 'web',
      images: `app=${IMAGE}`,
      ...CANARY_30_MIN.inputs,
      timeout: '45m',
    });
    const report = reportFor(inputs, s.clock);
    await deployService({ ...s.deps, random: Math.random }, inputs, report, s.state);
    if (report.status !== 'succeeded') throw new Error(`canary ended ${report.status}`);
    const late = s.clock.now() - ((s.updatedAt() ?? 0) + CANARY_30_MIN.completesAtMs);
    const calls = split(s.ecs.calls().map((call) => (call.args[0] as object).constructor.name));
    ourSetup += calls.setup;
    ourWait += calls.wait;
    ourLate += late;
    ourMax = Math.max(ourMax, late);
  }
  const wallMs = (performance.now() - wall) / runs;
  rows.push([
    'Canary, 30 min (scripted, simulated clock)',
    `ecs-deploy (mean of ${runs} runs)`,
    (ourSetup / runs).toFixed(1),
    (ourWait / runs).toFixed(1),
    `${wallMs.toFixed(0)} ms wall`,
    `${formatDuration(ourLate / runs)} (max ${formatDuration(ourMax)})`,
  ]);

  const seeds = 50;
  let setupCalls = 0;
  let waitCalls = 0;
  let lateSum = 0;
  let lateMax = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = scenario({ service: trafficShiftingService('CANARY'), phases: CANARY_30_MIN.phases });
    await r.client.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }));
    await r.client.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [{ name: 'app', image: IMAGE }],
      }),
    );
    await r.client.send(
      new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: 'web:42' }),
    );
    const result = await referenceWaitUntilServicesStable(
      r.client,
      { cluster: 'prod', service: 'web' },
      r.clock,
      seeded(seed),
      45 * 60_000,
    );
    if (!result.stable) throw new Error('reference did not see the end');
    const refLate = r.clock.now() - ((r.updatedAt() ?? 0) + CANARY_30_MIN.completesAtMs);
    const calls = split(r.ecs.calls().map((call) => (call.args[0] as object).constructor.name));
    setupCalls += calls.setup;
    waitCalls += calls.wait;
    lateSum += refLate;
    lateMax = Math.max(lateMax, refLate);
  }
  rows.push([
    '',
    `reference (waiter, 15 s min; mean of ${seeds} seeds)`,
    (setupCalls / seeds).toFixed(1),
    (waitCalls / seeds).toFixed(1),
    '—',
    `${formatDuration(lateSum / seeds)} (max ${formatDuration(lateMax)})`,
  ]);
}

async function coldStart(): Promise<string[]> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    let firstAt = 0;
    const server = await startHttpServer((_req, res) => {
      firstAt ||= performance.now();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'ClientException', message: 'bench' }));
    });
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(actionDir, 'dist', 'index.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        INPUT_CLUSTER: 'prod',
        INPUT_SERVICE: 'api',
        INPUT_WAIT: 'none',
        AWS_ENDPOINT_URL: server.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_MAX_ATTEMPTS: '1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      stdio: 'ignore',
    });
    while (firstAt === 0 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 2));
    times.push(firstAt - started);
    child.kill('SIGKILL');
    await server.close();
  }
  times.sort((a, b) => a - b);
  const size = (file: string) => (statSync(path.join(actionDir, file)).size / 1024 / 1024).toFixed(2);
  return [
    `| Bundle (one for main and post) | dist/index.js ${size('dist/index.js')} MB |`,
    `| Cold start (node dist/index.js → first API request, median of 5) | ${times[2]?.toFixed(0)} ms (min ${times[0]?.toFixed(0)}, max ${times[4]?.toFixed(0)}) |`,
  ];
}

await rollingOnMoto();
await scriptedCanary();
const startup = await coldStart();
out(
  '| Scenario | Waiter | Setup calls (reads, registration, update) | Wait-phase calls | Time | Completion noticed after |',
);
out('| --- | --- | ---: | ---: | ---: | ---: |');
for (const row of rows) out(`| ${row.join(' | ')} |`);
out('');
out('| Measure | Value |');
out('| --- | --- |');
for (const line of startup) out(line);
out(
  `\nNode ${process.version}; ecs-deploy polls ${JSON.stringify((await import('../src/deployment/watch.js')).WATCH_TIMING)}.`,
);
