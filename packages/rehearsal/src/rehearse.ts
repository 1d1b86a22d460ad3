// npm run rehearse: the delivery pipeline end to end on this machine. Sets up the world (world.ts),
// records the running release, commits a change, runs the workflows (pipeline.ts), then writes
// rehearsal/<run>/ (every job summary, index.html, result.json, the call log) and stops everything.
import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import type { RealTaskRecord } from '@ecs-ship/local-aws/real-tasks';
import { CleanupStack } from './cleanup.js';
import { environmentsFile } from './environments-file.js';
import type { RehearsalOptions } from './options.js';
import { concludeOutcome, gateVerdicts, runningImages, type Outcome } from './outcome.js';
import { OWNER, PULL_REQUEST, REPO, runPipeline, runPullRequest, type StageResult } from './pipeline.js';
import { overhead, type Overhead } from './overhead.js';
import { buildRelease, planImages } from './release.js';
import {
  callLog,
  trafficSeries,
  trafficTable,
  writeStepSummaries,
  type ReportMarker,
} from './report-input.js';
import { writeReport } from './report/write-report.js';
import { StepRecorder, formatDuration } from './step-recorder.js';
import { ENVIRONMENTS, prepareRepository, startEnvironments, startWorld, type World } from './world.js';

/** The regression: through the new revision's task definition environment (ecs-deploy's `environment`). */
export const REGRESSION_ENVIRONMENT = ['app.FAIL_RATE=0.1', 'app.LATENCY_MS=170'];

export interface RehearsalResult {
  run: string;
  dir: string;
  mode: 'docker' | 'process';
  regression: boolean;
  strategy: string;
  outcome: Outcome;
  exitCode: number;
  realMs: number;
  simulatedMs: number;
  overhead: Overhead;
  images: { release: string; new?: string; built?: string };
  stages: Array<{ environment: string; workflow: string; result: StageResult['result'] }>;
  /** pr-validate on the change's pull request, and whether its comment was posted. */
  pullRequest: { number: number; result: string; comment: boolean };
  requests: Array<{ environment: string; sent: number; answered: Record<string, number> }>;
  indexHtml: string;
  /** Every real task (container or process) the rehearsal ran, with its pid or container id and exit code. */
  tasks: RealTaskRecord[];
  /** What failed to stop (should be empty). */
  cleanupFailures: string[];
}

export async function rehearse(
  root: string,
  options: RehearsalOptions,
  signal: AbortSignal,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<RehearsalResult> {
  const realStart = Date.now();
  const run = new Date(realStart).toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  const dir = path.resolve(options.out, 'rehearsal', run);
  mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'rehearsal.log');
  const log = (line: string): void => {
    print(line);
    appendFileSync(logFile, `${line}\n`);
  };
  const cleanup = new CleanupStack();
  const markers: ReportMarker[] = [];
  let world: World | undefined;
  try {
    const base = await startWorld({ root, rate: options.rate, tasks: options.tasks, cleanup, log });
    log(`mode: ${base.modeReason}`);
    log(
      `clock: simulated time runs ${options.rate}x real time (ECS_SHIP_CLOCK, packages/shared/src/clock.ts); every step and the emulator share it`,
    );
    const recorder = new StepRecorder(base.clock, log);
    prepareRepository(root, base.repository, base.registry?.host);
    base.repository.commit('ecs-ship workflows');

    // The release that runs today, then the change the push ships.
    let releaseImage: string;
    if (base.mode === 'docker' && base.registry) {
      log(`${recorder.stamp()}  building the running release with build.yml (cpu) …`);
      releaseImage = await buildRelease({
        repository: base.repository,
        registry: base.registry.host,
        env: base.stepEnv,
      });
    } else {
      releaseImage = (await planImages(base.repository)).find((image) => image.variant === 'cpu')?.uri ?? '';
    }
    log(`${recorder.stamp()}  running release: ${releaseImage}`);
    const started = await startEnvironments(base, releaseImage, cleanup, log);
    world = { ...base, ...started };
    const current = world;
    const endpoints = (name: 'dev' | 'staging' | 'prod') => ({
      productionUrl: current.environments[name].loadBalancer.productionUrl,
      testUrl: current.environments[name].loadBalancer.testUrl,
      loadBalancer: current.environments[name].api.loadBalancerDimension,
      subnets: current.environments[name].api.subnets,
    });
    const change = base.repository.commit('rank: explain scores; environments for this machine', () => {
      const file = path.join(base.repository.dir, 'examples/service/app.js');
      appendFileSync(file, '\n// Scores are explained in the /rank answer from this release on.\n');
      const config = path.join(base.repository.dir, '.github/ecs-ship');
      mkdirSync(config, { recursive: true });
      writeFileSync(
        path.join(config, 'environments.yml'),
        environmentsFile({
          dev: endpoints('dev'),
          staging: endpoints('staging'),
          prod: endpoints('prod'),
          strategy: options.strategy,
          smokeChecks: 'examples/service/smoke-checks.yml',
          ...(options.regression ? { apiEnvironment: REGRESSION_ENVIRONMENT } : {}),
        }),
      );
    });
    log(
      `${recorder.stamp()}  pushed ${change.slice(0, 12)} to main${options.regression ? ' (with --regression: the api deploys with ' + REGRESSION_ENVIRONMENT.join(', ') + ')' : ''}`,
    );

    let plannedSource: string | undefined;
    let plannedCpu: string | undefined;
    if (base.mode === 'process') {
      const planned = await planImages(base.repository);
      log('build-push is not run without Docker; its plan (content keys of the same function it uses):');
      for (const image of planned)
        log(
          `  ${image.variant}: would build, content key ${image.contentKey.slice(0, 16)}… over ${image.files} files → stand-in ${image.uri}`,
        );
      plannedCpu = planned.find((image) => image.variant === 'cpu')?.uri;
      const cuda = planned.find((image) => image.variant === 'cuda')?.uri;
      plannedSource = `api=${plannedCpu}\nfeaturize=${cuda}`;
    }

    const pipeline = {
      world: base,
      recorder,
      signal,
      log,
      ...(plannedSource !== undefined ? { plannedSource } : {}),
      onApproval: (environment: string, by: string, at: number) => {
        // Every job of an environment is approved; the timeline marks each approval once.
        const label = `approved: ${environment} by ${by}`;
        if (!markers.some((marker) => marker.label === label))
          markers.push({ at, environment: environment.replace(/-approval.*$/, ''), label, kind: 'approval' });
      },
    };
    // The change comes as a pull request first: pr-validate and its one comment; merged when green.
    const pullRequest = await runPullRequest(pipeline);
    const comment = base.github.commentsOf(OWNER, REPO, PULL_REQUEST).at(-1);
    if (comment) {
      writeFileSync(path.join(dir, 'pull-request-comment.md'), comment.body);
      log(
        `${recorder.stamp()}  💬 pull request #${PULL_REQUEST}: pr-validate's comment (pull-request-comment.md): ${firstLine(comment.body)}`,
      );
    }
    const stages: StageResult[] =
      pullRequest.result === 'success' && !signal.aborted
        ? await runPipeline(pipeline)
        : ENVIRONMENTS.map((environment) => ({
            environment,
            workflow: 'push-to-main.yml',
            result: 'not-run' as const,
          }));
    const built = stages[0]?.run?.jobs.build?.outputs.images;
    const newImage =
      plannedCpu ?? (built ? (JSON.parse(built) as Record<string, { uri: string }>).cpu?.uri : undefined);
    const gates = gateVerdicts(recorder.steps);
    for (const gate of gates)
      markers.push({
        at: gate.at,
        environment: gate.environment,
        label: `gate: ${gate.decision}`,
        kind: gate.decision === 'rollback' ? 'rollback' : 'decision',
      });
    const outcome = concludeOutcome({
      regression: options.regression,
      stages,
      running: await runningImages(world.aws),
      releaseImage,
      newImage,
      gates,
    });
    if (pullRequest.result !== 'success')
      outcome.sentence = `pr-validate ${pullRequest.result === 'cancelled' ? 'was cancelled' : 'failed'} on pull request #${PULL_REQUEST}, so nothing was merged or deployed; see its comment and steps below.`;
    const simulatedMs = world.clock.now() - world.clock.options.origin;
    const realMs = Date.now() - realStart;
    const prodDeployed = stages.find((stage) => stage.environment === 'prod')?.result === 'success';
    const cost = overhead(recorder.steps, prodDeployed ? 5 : 0, options.rate);
    const steps = writeStepSummaries(dir, recorder.steps);
    if (comment) {
      const after = steps.filter((step) => step.workflow.startsWith('pull request')).length;
      steps.splice(after, 0, {
        index: 0,
        workflow: `pull request #${PULL_REQUEST}`,
        job: 'comment',
        step: 'the comment pr-validate posted (as GitHub shows it)',
        conclusion: pullRequest.result,
        startedAt: steps[after - 1]?.endedAt ?? world.clock.now(),
        endedAt: steps[after - 1]?.endedAt ?? world.clock.now(),
        summary: comment.body,
        summaryFile: 'pull-request-comment.md',
      });
      steps.forEach((step, index) => (step.index = index + 1));
    }
    const { indexHtml } = await writeReport(dir, {
      title: `ecs-ship rehearsal${options.regression ? ' (--regression)' : ''}`,
      run,
      mode: world.mode,
      startedAt: world.clock.options.origin,
      endedAt: world.clock.now(),
      rate: options.rate,
      outcome: { status: outcome.status, sentence: outcome.sentence },
      steps,
      series: trafficSeries(world.aws, world.environments, world.clock.now()),
      markers,
      calls: callLog(world.aws),
      traffic: trafficTable(world.environments),
    });
    const exitCode = outcome.expected ? 0 : 1;
    const result: RehearsalResult = {
      run,
      dir,
      mode: world.mode,
      regression: options.regression,
      strategy: options.strategy,
      outcome,
      exitCode,
      realMs,
      simulatedMs,
      overhead: cost,
      images: { release: releaseImage, ...(newImage ? { new: newImage } : {}) },
      stages: stages.map(({ environment, workflow, result: stage }) => ({
        environment,
        workflow,
        result: stage,
      })),
      pullRequest: { number: PULL_REQUEST, result: pullRequest.result, comment: comment !== undefined },
      requests: world.load.map((load) => ({
        environment: load.environment,
        sent: load.sent(),
        answered: load.answered(),
      })),
      indexHtml,
      tasks: [],
      cleanupFailures: [],
    };
    log('');
    log(
      `${outcome.status === 'success' ? '✓' : outcome.status === 'rolled-back' ? '↩' : '✗'} ${outcome.sentence}`,
    );
    if (options.regression && outcome.status === 'rolled-back')
      log('  This is what --regression should produce: the rollback is the expected outcome (exit code 0).');
    log(
      `  ${formatDuration(simulatedMs)} simulated in ${formatDuration(realMs)} real; our ${cost.ourSteps} steps less the build and the configured waits: ${(cost.share * 100).toFixed(1)}% of the pipeline's wall time, ${(cost.shareWithoutGate * 100).toFixed(1)}% without the gate's wait for data (result.json: overhead)`,
    );
    log(`  report: ${indexHtml}`);
    if (options.keep) {
      log(
        '  --keep: the local AWS, tasks and load balancers keep running; Ctrl-C stops them. For the AWS CLI:',
      );
      for (const [key, value] of Object.entries(world.aws.env())) log(`    export ${key}='${value}'`);
      for (const name of ['dev', 'staging', 'prod'] as const)
        log(`    ${name}: ${world.environments[name].loadBalancer.productionUrl}`);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    }
    result.cleanupFailures = await cleanup.run();
    // After the stop: every record then has its end.
    result.tasks = world.tasks.records();
    writeFileSync(path.join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await cleanup.run();
  }
}

function firstLine(markdown: string): string {
  return (markdown.split('\n').find((line) => line.trim() !== '' && !line.startsWith('<!--')) ?? '').replace(
    /^#+\s*/,
    '',
  );
}
