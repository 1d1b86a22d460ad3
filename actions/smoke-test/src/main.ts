import path from 'node:path';
import { OutcomeError } from '@ecs-ship/shared/errors';
import { runAction } from '@ecs-ship/shared/run';
import { httpProbe } from './http-probe.js';
import { getInputs } from './inputs.js';
import { buildJsonReport, writeReports, type JsonReport } from './report.js';
import { ChecksCancelledError, runChecks, type CheckResult } from './run-checks.js';
import { buildSummary } from './summary.js';

export async function run(): Promise<void> {
  // `secrets` is not a secretInputs entry: getInputs registers it line by line, each line named
  // ('input "secrets" (value 2)') in the warning about a short secret. Registered whole first, a
  // single short value would be warned about with no name.
  await runAction({ title: 'Smoke test' }, async (context) => {
    const { logger, clock, secrets } = context;
    const inputs = getInputs(context.inputs, secrets);
    const startedAt = clock.now();
    const outcome: { report?: JsonReport } = {};
    const lastBodies: Record<string, string> = {};
    context.setSummary(() =>
      outcome.report
        ? buildSummary({ report: outcome.report, lastBodies, deadlineMs: inputs.deadlineMs })
        : [],
    );

    logger.info(
      `Running ${inputs.checks.length} check(s) until ${new Date(startedAt + inputs.deadlineMs).toISOString()}: ${inputs.checks
        .map((check) => check.name)
        .join(', ')}`,
    );
    let results: CheckResult[];
    let cancelled: ChecksCancelledError | undefined;
    try {
      results = await runChecks(
        inputs.checks,
        {
          deadline: startedAt + inputs.deadlineMs,
          retryIntervalMs: inputs.retryIntervalMs,
          consecutiveSuccesses: inputs.consecutiveSuccesses,
          timeoutMs: inputs.timeoutMs,
        },
        {
          probe: httpProbe,
          clock,
          logger,
          signal: context.signal,
          redact: (text) => secrets.redact(text),
        },
      );
    } catch (error) {
      // A cancelled run still reports what each check saw until then.
      if (!(error instanceof ChecksCancelledError)) throw error;
      results = error.results;
      cancelled = error;
    }
    for (const result of results) {
      if (result.lastBody) lastBodies[result.check.name] = secrets.redact(result.lastBody);
    }
    const report = buildJsonReport(results, startedAt, clock.now() - startedAt, secrets);
    outcome.report = report;

    const directory =
      inputs.reportDir ?? path.join(process.env.RUNNER_TEMP ?? process.cwd(), `smoke-test-${startedAt}`);
    const { reportFile, junitFile } = await writeReports(report, directory, secrets);

    context.setOutput('passed', report.passed);
    context.setOutput('failed-count', report.failedCount);
    context.setOutput('report', reportFile);
    context.setOutput('junit-report', junitFile);
    if (cancelled) throw cancelled;
    if (!report.passed) {
      const failed = report.checks.filter((check) => !check.passed).map((check) => check.name);
      throw new OutcomeError(
        `${failed.length} of ${report.checks.length} smoke check(s) failed: ${failed.join(', ')}.`,
      );
    }
  });
}
