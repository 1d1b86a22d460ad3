import * as core from '@actions/core';
import { cancelOnSignals } from './cancellation.js';
import { CLOCK_SWITCH, clockFromEnvironment, ScaledClock, type Clock } from './clock.js';
import { createCoreLogger } from './core-logger.js';
import { CancelledError, ConfigurationError, describeError, OutcomeError } from './errors.js';
import { InputReader } from './inputs.js';
import type { Logger } from './logger.js';
import { SecretRegistry } from './secrets.js';
import { heading, paragraph, renderSummary, writeSummaryFile, type SummaryBlock } from './summary.js';

export interface ActionContext {
  inputs: InputReader;
  logger: Logger;
  secrets: SecretRegistry;
  clock: Clock;
  /** Aborts when the workflow run is cancelled. */
  signal: AbortSignal;
  setOutput(name: string, value: string | number | boolean): void;
  /** Called once at the end, after success or failure: the summary reflects whatever happened. */
  setSummary(build: () => SummaryBlock[]): void;
  saveState(name: string, value: string): void;
  getState(name: string): string;
}

export interface RunOptions {
  /** action.yml name, for the summary title and the AWS user agent. */
  title: string;
  /** Inputs whose values are secrets: masked at once, never quoted back in errors. */
  secretInputs?: readonly string[];
}

/**
 * The one place an action meets the runner: reads nothing itself, but gives `body` everything it
 * needs, turns any error into exactly one `setFailed`, and writes the job summary even on failure.
 */
export async function runAction(
  options: RunOptions,
  body: (context: ActionContext) => Promise<void>,
): Promise<void> {
  // The warning names where a short secret came from, never the value, so it needs no redaction.
  const secrets = new SecretRegistry((value) => core.setSecret(value), {
    onShortSecret: (message) => core.warning(message),
  });
  const logger = createCoreLogger(secrets);
  const cancellation = cancelOnSignals();
  const clock = clockFromEnvironment();
  if (clock instanceof ScaledClock)
    logger.warning(
      `${CLOCK_SWITCH} is set: time is simulated (${clock.options.rate}× real time, now ${new Date(clock.now()).toISOString()}). Never set it on a runner.`,
    );
  let buildSummary: (() => SummaryBlock[]) | undefined;
  let failure: unknown;

  const context: ActionContext = {
    inputs: new InputReader((name) => core.getInput(name), {
      secrets,
      ...(options.secretInputs ? { secretInputs: options.secretInputs } : {}),
    }),
    logger,
    secrets,
    clock,
    signal: cancellation.signal,
    // Outputs feed later steps: redacted only when they are (or carry) a secret, never by a short
    // substring that would corrupt an ARN. See SecretRegistry.redactOutput.
    setOutput: (name, value) => core.setOutput(name, secrets.redactOutput(String(value))),
    setSummary: (build) => {
      buildSummary = build;
    },
    saveState: (name, value) => core.saveState(name, value),
    getState: (name) => core.getState(name),
  };

  try {
    await body(context);
  } catch (error) {
    failure = error;
  } finally {
    cancellation.dispose();
  }

  let blocks: SummaryBlock[] = [];
  try {
    blocks = buildSummary?.() ?? [];
  } catch (error) {
    logger.warning(`Could not build the job summary: ${describeError(error)}`);
  }
  if (failure !== undefined && !blocks.some((block) => block.type === 'heading')) {
    blocks = [heading(`${options.title}: failed`), ...blocks];
  }
  if (failure !== undefined) {
    blocks.push(paragraph(`**Error:** ${describeError(failure)}`));
  }
  try {
    await writeSummaryFile(secrets.redact(renderSummary(blocks)));
  } catch (error) {
    logger.warning(`Could not write the job summary: ${describeError(error)}`);
  }

  if (failure !== undefined) {
    const expected =
      failure instanceof ConfigurationError ||
      failure instanceof CancelledError ||
      failure instanceof OutcomeError;
    if (!expected && failure instanceof Error) {
      logger.debug(failure.stack ?? '');
    }
    core.setFailed(secrets.redact(describeError(failure)));
  }
}
