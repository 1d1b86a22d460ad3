import type { Clock } from '@ecs-ship/shared/clock';
import type { Logger } from '@ecs-ship/shared/logger';
import { CancelledError } from '@ecs-ship/shared/errors';
import { poll } from '@ecs-ship/shared/poll';
import type { Check } from './check.js';
import { evaluate, type Mismatch } from './evaluate.js';
import type { Probe, ProbeResult } from './http-probe.js';

export interface RunSettings {
  /** Epoch ms: no attempt starts after it. */
  deadline: number;
  retryIntervalMs: number;
  consecutiveSuccesses: number;
  timeoutMs: number;
}

export interface Attempt {
  at: number;
  status?: number;
  latencyMs: number;
  error?: string;
  /** The URL that answered, when redirects led elsewhere. */
  finalUrl?: string;
  mismatches: Mismatch[];
}

export interface CheckResult {
  check: Check;
  passed: boolean;
  attempts: number;
  /** The last attempt: what came back when the check passed or gave up. */
  last?: Attempt;
  /** Milliseconds from the start until the check passed. */
  passedAfterMs?: number;
  /** Last body seen on a failure, for the summary (already redacted when `redact` was given). */
  lastBody?: string;
}

export interface RunDependencies {
  probe: Probe;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
  random?: () => number;
  /**
   * Masks secrets in what came back, right after each request and before anything reads it: an
   * excerpt cut later could split a secret or fold its white space and so escape redaction.
   */
  redact?: (text: string) => string;
}

/** The run was cancelled; `results` holds what every check had seen until then. */
export class ChecksCancelledError extends CancelledError {
  constructor(readonly results: CheckResult[]) {
    super();
  }
}

/** Retries back off to at most this many retry intervals, so a late recovery is still seen soon. */
const MAX_BACKOFF_FACTOR = 4;

/**
 * Runs every check concurrently until it passes `consecutiveSuccesses` times in a row or the
 * deadline passes. An attempt starts only before the deadline, so the run ends at most one request
 * timeout after it. On cancellation every check stops and a ChecksCancelledError carries what each
 * had seen, so the report still tells what happened.
 */
export async function runChecks(
  checks: readonly Check[],
  settings: RunSettings,
  deps: RunDependencies,
): Promise<CheckResult[]> {
  const results = checks.map((check): CheckResult => ({ check, passed: false, attempts: 0 }));
  const settled = await Promise.allSettled(results.map((result) => runCheck(result, settings, deps)));
  const failure = settled.find((outcome) => outcome.status === 'rejected');
  if (failure === undefined) return results;
  if (failure.reason instanceof CancelledError) throw new ChecksCancelledError(results);
  throw failure.reason;
}

async function runCheck(result: CheckResult, settings: RunSettings, deps: RunDependencies): Promise<void> {
  const { clock, logger } = deps;
  const { check } = result;
  const started = clock.now();
  let streak = 0;
  let lastOutcome = '';

  await poll(
    async () => {
      const at = clock.now();
      const probe = redactProbe(await deps.probe(check, settings.timeoutMs, deps.signal), deps.redact);
      const mismatches = evaluate(check.expect, probe);
      result.attempts += 1;
      result.last = {
        at,
        ...(probe.status !== undefined ? { status: probe.status } : {}),
        latencyMs: probe.latencyMs,
        ...(probe.error !== undefined ? { error: probe.error } : {}),
        ...(probe.finalUrl !== undefined ? { finalUrl: probe.finalUrl } : {}),
        mismatches,
      };
      const outcome =
        mismatches.length === 0 ? 'pass' : mismatches.map((m) => `${m.what}: ${m.actual}`).join('; ');
      if (mismatches.length === 0) {
        streak += 1;
        delete result.lastBody;
      } else {
        streak = 0;
        result.lastBody = probe.body;
      }
      const done = streak >= settings.consecutiveSuccesses;
      if (done) {
        result.passed = true;
        result.passedAfterMs = clock.now() - started;
        logger.info(
          `✔ ${check.name}: ${probe.status} in ${Math.round(probe.latencyMs)} ms (attempt ${result.attempts}${
            settings.consecutiveSuccesses > 1 ? `, ${streak} in a row` : ''
          })`,
        );
      } else if (outcome !== lastOutcome) {
        // Log when the picture changes, not on every identical retry.
        logger.info(
          mismatches.length === 0
            ? `… ${check.name}: passed ${streak} of ${settings.consecutiveSuccesses} needed in a row`
            : `✘ ${check.name}: attempt ${result.attempts}: ${describeMismatches(mismatches)}; retrying`,
        );
      }
      const changed = outcome !== lastOutcome || mismatches.length === 0;
      lastOutcome = outcome;
      return { done, value: result, changed };
    },
    {
      clock,
      deadline: Math.max(started, settings.deadline),
      ...(deps.signal ? { signal: deps.signal } : {}),
      initialDelayMs: settings.retryIntervalMs,
      maxDelayMs: settings.retryIntervalMs * MAX_BACKOFF_FACTOR,
      backoff: 1.5,
      jitter: 0.1,
      ...(deps.random ? { random: deps.random } : {}),
    },
  );
  if (!result.passed) {
    logger.error(
      `✘ ${check.name}: still failing at the deadline after ${result.attempts} attempt(s): ${describeMismatches(result.last?.mismatches ?? [])}`,
    );
  }
}

function redactProbe(probe: ProbeResult, redact: ((text: string) => string) | undefined): ProbeResult {
  if (!redact) return probe;
  return {
    ...probe,
    body: redact(probe.body),
    headers: Object.fromEntries(Object.entries(probe.headers).map(([name, value]) => [name, redact(value)])),
    ...(probe.error !== undefined ? { error: redact(probe.error) } : {}),
    ...(probe.finalUrl !== undefined ? { finalUrl: redact(probe.finalUrl) } : {}),
  };
}

export function describeMismatches(mismatches: readonly Mismatch[]): string {
  return mismatches.map((m) => `${m.what} was ${m.actual}, expected ${m.expected}`).join('; ');
}
