/*
 * Turns outcomes into the markdown table. Times are the minutes to the decision that matters for the
 * scenario: to promotion for healthy canaries, to rollback for regressions, to any decision at the
 * tolerance boundary; a gate's promotions at timeout that were only bounded are shown apart.
 */
import type { Kind } from './scenarios.js';
import type { Outcome } from './rules/outcome.js';

/** What the targets need to know of a run besides a rule's outcome. */
export interface RunFacts {
  /** The canary's requests per minute, averaged over the run's periods. */
  canaryPerMinute: number;
  /** Whether the run's regression is beyond the action defaults' critical tolerance. */
  beyondCriticalTolerance: boolean;
  /**
   * Whether the relative part of the defaults' 5xx tolerance is the larger at the TRUE base rate
   * (base ≥ 0.25 pp / 50% = 0.5%): where it is not, the oracle turns the absolute part into a ratio
   * with the true base rate, which the gate can only bound from the baseline's own counts.
   */
  relativeErrorTolerance: boolean;
}

export interface ResultRow {
  scenario: string;
  kind: Kind;
  rule: string;
  outcomes: Outcome[];
  /** The facts of the run of each outcome, in the same order. */
  facts: RunFacts[];
}

function percent(count: number, total: number): string {
  return total === 0 ? '—' : `${((100 * count) / total).toFixed(1)}%`;
}

/** The q-quantile of sorted values (the smallest value with at least q of them at or below it). */
export function quantileOf(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

function quantile(sorted: number[], q: number): string {
  const value = quantileOf(sorted, q);
  return value === null ? '—' : String(value);
}

export function summarize(row: ResultRow): Record<string, string> {
  const n = row.outcomes.length;
  const count = (d: Outcome['decision']): number => row.outcomes.filter((o) => o.decision === d).length;
  const timed = row.outcomes
    .filter((o) =>
      row.kind === 'healthy'
        ? o.decision === 'promote'
        : row.kind === 'regression'
          ? o.decision === 'rollback'
          : o.decision !== 'inconclusive',
    )
    .map((o) => o.minutes)
    .sort((a, b) => a - b);
  const healthy = row.kind === 'healthy';
  const regression = row.kind === 'regression';
  return {
    Scenario: row.scenario,
    Rule: row.rule,
    Runs: String(n),
    'False rollback': healthy ? percent(count('rollback'), n) : '—',
    'Wrong promotion': regression ? percent(count('promote'), n) : '—',
    'Detection (rollback)': healthy ? '—' : percent(count('rollback'), n),
    Promoted: regression ? '—' : percent(count('promote'), n) + boundedNote(row.outcomes),
    Inconclusive: percent(count('inconclusive'), n),
    'Median min': quantile(timed, 0.5),
    'p90 min': quantile(timed, 0.9),
  };
}

/** For a gate that may promote at timeout: the share of runs promoted as bounded, not proven. */
function boundedNote(outcomes: Outcome[]): string {
  const bounded = outcomes.filter((o) => o.how === 'bounded').length;
  return bounded === 0 ? '' : ` (${percent(bounded, outcomes.length)} bounded)`;
}

export function markdownTable(rows: ResultRow[]): string {
  const cells = rows.map(summarize);
  const headers = Object.keys(cells[0] ?? {});
  const line = (values: string[]): string => `| ${values.join(' | ')} |`;
  return [
    line(headers),
    line(headers.map(() => '---')),
    ...cells.map((c) => line(headers.map((h) => c[h] ?? ''))),
  ].join('\n');
}
