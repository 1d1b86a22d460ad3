import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OutcomeError } from '@ecs-ship/shared/errors';
import { runAction } from '@ecs-ship/shared/run';
import { httpProbe } from './http-probe.js';
import { getInputs } from './inputs.js';
import { buildJsonReport, buildJunitXml, type JsonReport } from './report.js';
import { runChecks } from './run-checks.js';
import { buildSummary } from './summary.js';

export async function run(): Promise<void> {
  await runAction({ title: 'Smoke test', secretInputs: ['secrets'] }, async (context) => {
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
    const results = await runChecks(
      inputs.checks,
      {
        deadline: startedAt + inputs.deadlineMs,
        retryIntervalMs: inputs.retryIntervalMs,
        consecutiveSuccesses: inputs.consecutiveSuccesses,
        timeoutMs: inputs.timeoutMs,
      },
      { probe: httpProbe, clock, logger, signal: context.signal },
    );
    for (const result of results) {
      if (result.lastBody) lastBodies[result.check.name] = secrets.redact(result.lastBody);
    }
    const report = buildJsonReport(results, startedAt, clock.now() - startedAt, secrets);
    outcome.report = report;

    const directory =
      inputs.reportDir ?? path.join(process.env.RUNNER_TEMP ?? process.cwd(), `smoke-test-${startedAt}`);
    await mkdir(directory, { recursive: true });
    const reportFile = path.join(directory, 'smoke-test-report.json');
    const junitFile = path.join(directory, 'smoke-test-junit.xml');
    await writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(junitFile, secrets.redact(buildJunitXml(report)));

    context.setOutput('passed', report.passed);
    context.setOutput('failed-count', report.failedCount);
    context.setOutput('report', reportFile);
    context.setOutput('junit-report', junitFile);
    if (!report.passed) {
      const failed = report.checks.filter((check) => !check.passed).map((check) => check.name);
      throw new OutcomeError(
        `${failed.length} of ${report.checks.length} smoke check(s) failed: ${failed.join(', ')}.`,
      );
    }
  });
}
