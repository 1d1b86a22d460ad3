import type { Direction, MetricKind, MetricUnit, Tolerance } from './types.js';

/** The bad side(s) of a metric: 'upper' = canary/baseline above a ratio, 'lower' = below. */
export type Side = 'upper' | 'lower';

export function badSides(direction: Direction): Side[] {
  if (direction === 'increase') return ['upper'];
  if (direction === 'decrease') return ['lower'];
  return ['upper', 'lower'];
}

export function validateTolerance(tolerance: Tolerance, metric: string): void {
  const { relative, absolute } = tolerance;
  if (relative === undefined && absolute === undefined) {
    throw new RangeError(`Metric "${metric}": give a relative or an absolute tolerance.`);
  }
  for (const [key, value] of Object.entries({ relative, absolute })) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`Metric "${metric}": ${key} tolerance must be a number ≥ 0, got ${value}.`);
    }
  }
}

/**
 * The canary/baseline ratio at which a metric stops being acceptable on one side, given the
 * baseline's level (needed to turn an absolute tolerance into a ratio). The larger tolerance
 * applies: the upper boundary is the larger candidate, the lower one the smaller. Returns Infinity
 * (upper) or 0 (lower) when that side can never be crossed.
 */
export function ratioBoundary(tolerance: Tolerance, side: Side, baselineLevel: number): number {
  const candidates: number[] = [];
  if (tolerance.relative !== undefined) {
    candidates.push(side === 'upper' ? 1 + tolerance.relative : Math.max(0, 1 - tolerance.relative));
  }
  if (tolerance.absolute !== undefined) {
    const shift = baselineLevel > 0 ? tolerance.absolute / baselineLevel : Infinity;
    candidates.push(side === 'upper' ? 1 + shift : Math.max(0, 1 - shift));
  }
  return side === 'upper' ? Math.max(...candidates) : Math.min(...candidates);
}

const UNITS: Record<string, { scale: number; relative: boolean }> = {
  '%': { scale: 0.01, relative: true },
  pp: { scale: 0.01, relative: false },
  ms: { scale: 0.001, relative: false },
  s: { scale: 1, relative: false },
  '': { scale: 1, relative: false },
};

/**
 * Reads "20%", "0.1pp", "50ms", "0.2s", "0.001" or two of them joined by "or" / "," ("20% or 0.1pp").
 * Percent is relative; pp (percentage points), ms, s and bare numbers are absolute.
 */
export function parseTolerance(text: string): Tolerance {
  const parts = text
    .split(/,|\bor\b/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (parts.length === 0 || parts.length > 2) {
    throw new RangeError(
      `Tolerance "${text}": expected one or two of 20%, 0.1pp, 50ms, 0.2s, 0.001 (joined by "or").`,
    );
  }
  const tolerance: Tolerance = {};
  for (const part of parts) {
    const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(%|pp|ms|s)?$/i.exec(part);
    const unit = UNITS[(match?.[2] ?? '').toLowerCase()];
    if (!match || !unit) {
      throw new RangeError(
        `Tolerance "${text}": cannot read "${part}"; write e.g. 20%, 0.1pp, 50ms or 0.001.`,
      );
    }
    const value = Number(match[1]) * unit.scale;
    const key = unit.relative ? 'relative' : 'absolute';
    if (tolerance[key] !== undefined) {
      throw new RangeError(`Tolerance "${text}": give at most one relative and one absolute part.`);
    }
    tolerance[key] = roundFloat(value);
  }
  return tolerance;
}

function roundFloat(value: number): number {
  return Number(value.toPrecision(12));
}

/** "20%", "0.1 percentage points", "50 ms", or "20% or 50 ms, whichever is larger". */
export function describeTolerance(tolerance: Tolerance, kind: MetricKind, unit: MetricUnit = 'none'): string {
  const parts: string[] = [];
  if (tolerance.relative !== undefined) parts.push(`${trimNumber(tolerance.relative * 100)}%`);
  if (tolerance.absolute !== undefined) {
    if (kind === 'rate') parts.push(`${trimNumber(tolerance.absolute * 100)} percentage points`);
    else if (unit === 'seconds') parts.push(`${trimNumber(tolerance.absolute * 1000)} ms`);
    else parts.push(trimNumber(tolerance.absolute));
  }
  return parts.length === 2 ? `${parts[0]} or ${parts[1]}, whichever is larger` : (parts[0] ?? 'no');
}

function trimNumber(value: number): string {
  return String(Number(value.toPrecision(4)));
}
