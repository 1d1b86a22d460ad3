/*
 * Canary gate benchmark: npx tsx bench/canary/run.ts [--runs 1000] [--seed N] [--workers N]
 * [--out bench/results/canary.md]
 * Every rule sees the same simulated traces. Scenarios run in parallel child processes (default:
 * one per core; --workers 1 runs them here); the rows do not depend on how many. Not part of CI.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option } from './cli-option.js';
import { markdownTable, type ResultRow } from './report.js';
import { ACTION_DEFAULTS_CONFIG, GATE_CONFIG } from './rules/gate.js';
import { PUBLISH_DELAY_MINUTES, runScenario } from './scenario-run.js';
import type { ScenarioRequest } from './scenario-worker.js';
import { SCENARIOS } from './scenarios.js';
import {
  checkTargets,
  GATE,
  GATE_DEFAULTS,
  ORACLE_DEFAULTS,
  ORACLE_DEFAULTS_BOUNDED,
  ORACLE_DEFAULTS_BOUNDED_ESTIMATED,
  ORACLE_EFFECT_NOISE_UNKNOWN,
  ORACLE_EFFECT_UNKNOWN,
  POOLED,
  targetsTable,
} from './targets.js';
import { LOOKBACK_PERIODS } from './traffic.js';

interface ScenarioResult {
  index: number;
  rows: ResultRow[];
  seconds: number;
}

const runs = Number(option('runs', '1000'));
const seed = Number(option('seed', '20240601'));
const workers = Math.max(
  1,
  Math.min(SCENARIOS.length, Number(option('workers', String(availableParallelism())))),
);
const out = option('out', 'bench/results/canary.md');
const started = Date.now();

function progress(result: ScenarioResult): void {
  const id = SCENARIOS[result.index]?.id ?? String(result.index);
  console.log(
    `[${result.index + 1}/${SCENARIOS.length}] ${id}: ${runs} runs in ${result.seconds.toFixed(1)} s`,
  );
}

function runHere(): ScenarioResult[] {
  return SCENARIOS.map((_, index) => {
    const t0 = Date.now();
    const result = { index, rows: runScenario(index, runs, seed), seconds: (Date.now() - t0) / 1000 };
    progress(result);
    return result;
  });
}

/** Hands out scenarios one at a time to `workers` child processes, the next to whichever is free. */
function runInWorkers(): Promise<ScenarioResult[]> {
  const script = fileURLToPath(new URL('./scenario-worker.ts', import.meta.url));
  const results: ScenarioResult[] = [];
  let next = 0;
  return new Promise((resolve, reject) => {
    let running = workers;
    for (let w = 0; w < workers; w++) {
      const child = fork(script, [], { execArgv: process.execArgv });
      const feed = (): void => {
        if (next >= SCENARIOS.length) {
          child.disconnect();
          return;
        }
        const request: ScenarioRequest = { index: next++, runs, seed };
        child.send(request);
      };
      child.on('message', (result: ScenarioResult) => {
        results.push(result);
        progress(result);
        feed();
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) reject(new Error(`A scenario worker exited with code ${code}.`));
        else if (--running === 0) resolve(results);
      });
      feed();
    }
  });
}

const results = workers === 1 ? runHere() : await runInWorkers();
const rows = results.sort((a, b) => a.index - b.index).flatMap((r) => r.rows);
const healthy = rows.filter((r) => r.kind === 'healthy');
for (const rule of [...new Set(healthy.map((r) => r.rule))]) {
  const mine = healthy.filter((r) => r.rule === rule);
  rows.push({
    scenario: POOLED,
    kind: 'healthy',
    rule,
    outcomes: mine.flatMap((r) => r.outcomes),
    facts: mine.flatMap((r) => r.facts),
  });
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
const report = [
  '# Canary gate benchmark',
  '',
  `${runs} runs per scenario, seed ${seed}, ${seconds} s on ${workers} worker${workers === 1 ? '' : 's'}.`,
  '',
  `- **${GATE}**: 20% relative tolerance on 5xx rate and latency (both critical), ` +
    `false-rollback-rate ${GATE_CONFIG.falseRollbackRate}, min ${GATE_CONFIG.minDurationPeriods} min and ` +
    `${GATE_CONFIG.minRequests} canary requests, max ${GATE_CONFIG.maxDurationPeriods} min, on-timeout fail ` +
    '(shown as inconclusive): the tolerance of the oracle rows without a suffix.',
  `- **${GATE_DEFAULTS}**: the action's defaults, 5xx 50% or 0.25 pp (critical tolerance 100% or 1 pp), ` +
    `latency 20% or 10 ms (critical 50% or 50 ms), false-rollback-rate ${ACTION_DEFAULTS_CONFIG.falseRollbackRate}, ` +
    `min ${ACTION_DEFAULTS_CONFIG.minDurationPeriods} min and ${ACTION_DEFAULTS_CONFIG.minRequests} canary requests, ` +
    `max ${ACTION_DEFAULTS_CONFIG.maxDurationPeriods} min, on-timeout promote-if-bounded (promotions only ` +
    `bounded within the critical tolerance shown apart). **${ORACLE_DEFAULTS}** is the oracle at these ` +
    'tolerances: per minute and metric, max(1 + relative, 1 + absolute / that minute’s true base level).',
  `- Both gate rows first see ${LOOKBACK_PERIODS} minutes of baseline-only lookback before the canary starts; ` +
    'the oracles and peer rules ignore it. The alarm and interval rules’ thresholds (5xx rate above 2× the base ' +
    'rate, at least 1%; latency above 1.3× the base average or p99) come from each run’s TRUE base levels: more ' +
    'than an hour of lookback could teach them.',
  `- **${ORACLE_EFFECT_UNKNOWN}** knows the noise and the start but not the size of a regression, as the gate ` +
    'does not: its rollback claim mixes candidate ratios beyond the tolerance with the gate’s own mixture ' +
    'weights, and its promote claim candidate ratios within it with the gate’s half-normal. It is the reference ' +
    'with the gate’s knowledge of a regression present from the start. ' +
    `**${ORACLE_EFFECT_NOISE_UNKNOWN}** does not know the latency noise either (each candidate a t-type SPRT): ` +
    'what the gate knows of latency. The dispersion of error counts stays known to every oracle.',
  `- **${ORACLE_DEFAULTS_BOUNDED}** and **${ORACLE_DEFAULTS_BOUNDED_ESTIMATED}**: the defaults' oracle, then, ` +
    'where it has not decided in the window, one look at the critical tolerances at the gate’s promote α ' +
    '(bounded-oracle.ts): the score test with the true dispersion for errors; for latency the z-test with the ' +
    'true variance, or the t-test on the run’s own periods (the gate also has its lookback).',
  `- Times include CloudWatch's ${PUBLISH_DELAY_MINUTES}-minute publish delay, for every rule alike: a decision ` +
    `on the data of minute k is known at minute k + ${PUBLISH_DELAY_MINUTES}. Times are minutes to promotion ` +
    '(healthy), to rollback (regressions), to any decision (boundary).',
  '',
  markdownTable(rows),
  '',
  '## Issue #12 targets',
  '',
  'Each line gives the gate’s figure, what it is held to, and whether the target is met. Where 99% detection ' +
    'is missed, the full oracle’s detection on the same traces shows whether it was possible at all. ' +
    '"Out of reach": missed, and missed by the oracle with the gate’s knowledge as well.',
  '',
  targetsTable(checkTargets(rows, GATE_CONFIG.falseRollbackRate)),
  '',
].join('\n');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, report);
console.log(report);
console.log(`wrote ${out} in ${seconds} s`);
