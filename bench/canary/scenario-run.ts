/*
 * One scenario of the benchmark: its runs' traces, every rule's outcome on each, and the rows they
 * make. A run's seed follows the scenario's index and the run's number only, so the rows are the
 * same whichever process computes them.
 */
import { alphasFor } from '../../actions/canary-gate/src/engine/gate.js';
import type { Tolerance } from '../../actions/canary-gate/src/engine/types.js';
import { boundedAtEnd, type BoundedNoise } from './bounded-oracle.js';
import { minuteToleranceRatios, oracleRule, toleranceRatios, type MinuteToleranceRatios } from './oracle.js';
import { Random } from './random.js';
import type { ResultRow, RunFacts } from './report.js';
import { alarmRule } from './rules/alarm.js';
import { fixedHorizonRule } from './rules/fixed-horizon.js';
import {
  ACTION_DEFAULTS_CONFIG,
  beyondCriticalTolerance,
  GATE_CONFIG,
  gateRule,
  metricSpecs,
} from './rules/gate.js';
import { intervalRule } from './rules/interval.js';
import type { Outcome, Rule } from './rules/outcome.js';
import { drawRun, SCENARIOS } from './scenarios.js';
import {
  ALARM,
  BUSY_ERRORS_2,
  FIXED_HORIZON,
  GATE,
  GATE_DEFAULTS,
  INTERVAL,
  ORACLE,
  ORACLE_DEFAULTS,
  ORACLE_NOISE_UNKNOWN,
  ORACLE_START_UNKNOWN,
  ORACLE_EFFECT_UNKNOWN,
  ORACLE_EFFECT_NOISE_UNKNOWN,
  ORACLE_GATE_LATENCY,
  ORACLE_DEFAULTS_EFFECT_UNKNOWN,
  ORACLE_DEFAULTS_BOUNDED,
  ORACLE_DEFAULTS_BOUNDED_ESTIMATED,
} from './targets.js';
import { PERIODS, simulate, type Trace } from './traffic.js';

/**
 * CloudWatch publishes a minute's data about 60 s after it ends: a decision on the data of period k
 * (1-based) is known at minute k + 1. Added here, once, to every rule's minutes alike.
 */
export const PUBLISH_DELAY_MINUTES = 1;

const defaults = metricSpecs(ACTION_DEFAULTS_CONFIG);
const relativePartDecides = (tolerance: Tolerance, base: number): boolean =>
  tolerance.absolute === undefined || 1 + (tolerance.relative ?? 0) >= 1 + tolerance.absolute / base;
// Minute by minute: in a shared incident the absolute parts are ratios of the raised base levels.
const defaultTolerances = (trace: Trace): MinuteToleranceRatios =>
  minuteToleranceRatios(trace, defaults.errors.tolerance, defaults.latency.tolerance);

/**
 * The defaults' oracle SPRT, and where it has not decided by the end of the window one look at the
 * defaults' critical tolerances at the gate's promote α, as promote-if-bounded does.
 */
function boundedAtTimeout(trace: Trace, noise: BoundedNoise): Outcome {
  const outcome = oracleRule(trace, {}, defaultTolerances(trace));
  if (outcome.decision !== 'inconclusive') return outcome;
  const { errors, latency } = defaults;
  if (!errors.criticalTolerance || !latency.criticalTolerance) return outcome;
  const critical = toleranceRatios(trace, errors.criticalTolerance, latency.criticalTolerance);
  return boundedAtEnd(trace, critical, ACTION_DEFAULTS_CONFIG.falseRollbackRate, noise)
    ? { decision: 'promote', minutes: outcome.minutes, how: 'bounded' }
    : outcome;
}
const RULES: [string, Rule][] = [
  [GATE, gateRule(GATE_CONFIG)],
  [GATE_DEFAULTS, gateRule(ACTION_DEFAULTS_CONFIG)],
  [ORACLE, (trace) => oracleRule(trace)],
  [ORACLE_DEFAULTS, (trace) => oracleRule(trace, {}, defaultTolerances(trace))],
  [ORACLE_NOISE_UNKNOWN, (trace) => oracleRule(trace, { latencyNoise: 'estimated' })],
  [ORACLE_START_UNKNOWN, (trace) => oracleRule(trace, { start: 'unknown' })],
  [ORACLE_EFFECT_UNKNOWN, (trace) => oracleRule(trace, { effect: 'unknown' })],
  [
    ORACLE_EFFECT_NOISE_UNKNOWN,
    (trace) => oracleRule(trace, { effect: 'unknown', latencyNoise: 'estimated' }),
  ],
  [
    ORACLE_GATE_LATENCY,
    (trace) =>
      oracleRule(trace, {
        effect: 'unknown',
        latencyNoise: 'estimated',
        latencyRollbackAlpha: alphasFor(GATE_CONFIG, metricSpecs(GATE_CONFIG).latency).rollback,
      }),
  ],
  [
    ORACLE_DEFAULTS_EFFECT_UNKNOWN,
    (trace) => oracleRule(trace, { effect: 'unknown' }, defaultTolerances(trace)),
  ],
  [ORACLE_DEFAULTS_BOUNDED, (trace) => boundedAtTimeout(trace, 'known')],
  [ORACLE_DEFAULTS_BOUNDED_ESTIMATED, (trace) => boundedAtTimeout(trace, 'estimated')],
  [ALARM, alarmRule],
  [INTERVAL, intervalRule],
  [FIXED_HORIZON, fixedHorizonRule],
];

const published = (outcome: Outcome): Outcome => ({
  ...outcome,
  minutes: outcome.minutes + PUBLISH_DELAY_MINUTES,
});

interface Collected {
  outcomes: Outcome[];
  facts: RunFacts[];
}
const collected = (): Collected => ({ outcomes: [], facts: [] });

/** The scenario's rows, one per rule (and for errors ×2 the busy runs' rows too). */
export function runScenario(index: number, runs: number, seed: number): ResultRow[] {
  const scenario = SCENARIOS[index];
  if (!scenario) throw new RangeError(`No scenario ${index}.`);
  const all = RULES.map(collected);
  const busy = RULES.map(collected);
  for (let run = 0; run < runs; run++) {
    const random = new Random(seed + 7919 * index + 104729 * run);
    const params = drawRun(random, scenario);
    const trace = simulate(random, params);
    const canaryErrorsPerMinute =
      params.totalPerMinute * params.canaryShare * params.baseRate * params.errorRatio(PERIODS - 1);
    const facts: RunFacts = {
      canaryPerMinute: trace.periods.reduce((sum, p) => sum + p.canaryRequests, 0) / trace.periods.length,
      beyondCriticalTolerance: beyondCriticalTolerance(ACTION_DEFAULTS_CONFIG, params),
      relativeErrorTolerance: relativePartDecides(defaults.errors.tolerance, params.baseRate),
    };
    for (const [i, [, rule]] of RULES.entries()) {
      const outcome = published(rule(trace));
      for (const target of canaryErrorsPerMinute >= 2 ? [all[i], busy[i]] : [all[i]]) {
        target?.outcomes.push(outcome);
        target?.facts.push(facts);
      }
    }
  }
  const rows = (title: string, kind: ResultRow['kind'], from: Collected[]): ResultRow[] =>
    RULES.map(([name], i) => ({ scenario: title, kind, rule: name, ...(from[i] as Collected) }));
  return [
    ...rows(scenario.title, scenario.kind, all),
    ...(scenario.id === 'errors-2' ? rows(BUSY_ERRORS_2, 'regression', busy) : []),
  ];
}
