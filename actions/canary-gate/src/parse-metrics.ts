import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import {
  expectList,
  expectObject,
  fieldError,
  isPlainObject,
  optionalBoolean,
  optionalString,
  rejectUnknownKeys,
  type PlainObject,
} from '@ecs-ship/shared/structure';
import { parseTolerance } from './engine/tolerance.js';
import type { Direction, MetricKind, MetricUnit, Tolerance } from './engine/types.js';
import type { MetricDefinition, RequestQueries } from './metric-definitions.js';

const METRIC_FIELDS = [
  'name',
  'kind',
  'direction',
  'tolerance',
  'critical-tolerance',
  'critical',
  'unit',
  'label',
  'canary',
  'baseline',
];
const QUERY_FIELDS = ['Id', 'Expression', 'MetricStat', 'Label', 'Period', 'AccountId', 'ReturnData'];
const STAT_FIELDS = ['Metric', 'Period', 'Stat', 'Unit'];
const NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;
const QUERY_ID = /^[a-z][a-zA-Z0-9_]{0,254}$/;

export interface ParsedMetrics {
  metrics: MetricDefinition[];
  /** From an entry of kind `requests`: the denominators when there is no load balancer preset. */
  requests?: RequestQueries;
}

/**
 * The `metrics` input: custom CloudWatch metrics, each with a query per arm in the shape of
 * GetMetricData's MetricDataQuery. Ids default to `<name>_canary` / `<name>_baseline`.
 */
export function parseMetrics(document: unknown, periodSeconds: number): ParsedMetrics {
  const items = expectList(document, 'Input "metrics"');
  const parsed: ParsedMetrics = { metrics: [] };
  const ids = new Set<string>();
  items.forEach((item, index) => {
    const raw = expectObject(item, `Input "metrics": metrics[${index}]`);
    const name = optionalString(raw, 'name', `Input "metrics": metrics[${index}]`);
    const where = `Input "metrics": metrics[${index}]${name ? ` ("${name}")` : ''}`;
    rejectUnknownKeys(raw, METRIC_FIELDS, where);
    if (!name || !NAME.test(name))
      throw fieldError(where, 'name', 'letters, digits, _ or - starting with a letter', raw.name);
    const kind = oneOf(raw, 'kind', ['rate', 'level', 'requests'] as const, where);
    if (kind === undefined) throw fieldError(where, 'kind', 'rate, level or requests', raw.kind);
    const slug = name.replace(/-/g, '_').replace(/^[A-Z]/, (first) => first.toLowerCase());
    const canary = parseQuery(raw.canary, `${where}: "canary"`, `${slug}_canary`, periodSeconds);
    const baseline = parseQuery(raw.baseline, `${where}: "baseline"`, `${slug}_baseline`, periodSeconds);
    if (kind !== 'level') {
      // A missing count is read as zero, which is only true of sums and sample counts.
      for (const [arm, query] of [
        ['canary', canary],
        ['baseline', baseline],
      ] as const) {
        const stat = query.MetricStat?.Stat;
        if (stat !== undefined && stat !== 'Sum' && stat !== 'SampleCount') {
          throw fieldError(
            `${where}: "${arm}"`,
            'MetricStat.Stat',
            `Sum or SampleCount for a metric of kind ${kind} (counts)`,
            stat,
          );
        }
      }
    }
    for (const query of [canary, baseline]) {
      if (ids.has(query.Id ?? ''))
        throw new ConfigurationError(`${where}: query Id "${query.Id}" is used twice.`);
      ids.add(query.Id ?? '');
    }
    if (kind === 'requests') {
      if (parsed.requests)
        throw new ConfigurationError(`${where}: only one metric may be of kind "requests".`);
      parsed.requests = { canary, baseline };
      return;
    }
    const tolerance = toleranceField(raw, 'tolerance', where, '20%, 0.1pp, 50ms or "20% or 0.1pp"');
    const criticalTolerance =
      raw['critical-tolerance'] === undefined
        ? undefined
        : toleranceField(raw, 'critical-tolerance', where, '100%, 1pp, 50ms or "100% or 1pp"');
    const unit = oneOf(raw, 'unit', ['seconds', 'none'] as const, where);
    const label = optionalString(raw, 'label', where);
    parsed.metrics.push({
      spec: {
        name,
        kind: kind as MetricKind,
        direction:
          oneOf(raw, 'direction', ['increase', 'decrease', 'either'] as const, where) ??
          ('increase' as Direction),
        tolerance,
        ...(criticalTolerance ? { criticalTolerance } : {}),
        critical: optionalBoolean(raw, 'critical', where) ?? true,
        ...(label ? { label } : {}),
        ...(unit ? { unit: unit as MetricUnit } : {}),
      },
      canary,
      baseline,
    });
  });
  return parsed;
}

function toleranceField(raw: PlainObject, field: string, where: string, examples: string): Tolerance {
  const text = raw[field];
  if (typeof text !== 'string' && typeof text !== 'number') {
    throw fieldError(where, field, `a tolerance such as ${examples}`, text);
  }
  try {
    return parseTolerance(String(text));
  } catch (error) {
    throw new ConfigurationError(
      `${where}: ${field === 'tolerance' ? '' : `${field}: `}${(error as Error).message}`,
    );
  }
}

function oneOf<const T extends string>(
  raw: PlainObject,
  field: string,
  allowed: readonly T[],
  where: string,
): T | undefined {
  const value = raw[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw fieldError(where, field, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

function parseQuery(
  value: unknown,
  where: string,
  defaultId: string,
  periodSeconds: number,
): MetricDataQuery {
  if (!isPlainObject(value))
    throw new ConfigurationError(`${where} must be a MetricDataQuery map (MetricStat or Expression).`);
  rejectUnknownKeys(value, QUERY_FIELDS, where);
  const id = value.Id ?? defaultId;
  if (typeof id !== 'string' || !QUERY_ID.test(id)) {
    throw fieldError(where, 'Id', 'a lowercase letter then letters, digits or _', id);
  }
  const hasStat = value.MetricStat !== undefined;
  const hasExpression = value.Expression !== undefined;
  if (hasStat === hasExpression)
    throw new ConfigurationError(`${where}: give exactly one of "MetricStat" or "Expression".`);
  if (value.ReturnData === false)
    throw fieldError(where, 'ReturnData', 'true (the gate reads this query)', false);
  const query: MetricDataQuery = { Id: id, ReturnData: true };
  if (typeof value.Label === 'string') query.Label = value.Label;
  if (typeof value.AccountId === 'string') query.AccountId = value.AccountId;
  if (hasExpression) {
    if (typeof value.Expression !== 'string' || value.Expression.trim() === '') {
      throw fieldError(where, 'Expression', 'a CloudWatch metric math expression', value.Expression);
    }
    query.Expression = value.Expression;
    query.Period = checkPeriod(value.Period, where, 'Period', periodSeconds);
    return query;
  }
  const stat = expectObject(value.MetricStat, `${where}: "MetricStat"`);
  rejectUnknownKeys(stat, STAT_FIELDS, `${where}: MetricStat`);
  const metric = expectObject(stat.Metric, `${where}: "MetricStat.Metric"`);
  rejectUnknownKeys(metric, ['Namespace', 'MetricName', 'Dimensions'], `${where}: MetricStat.Metric`);
  const namespace = optionalString(metric, 'Namespace', `${where}: MetricStat.Metric`);
  const metricName = optionalString(metric, 'MetricName', `${where}: MetricStat.Metric`);
  const statistic = optionalString(stat, 'Stat', `${where}: MetricStat`);
  if (!namespace || !metricName || !statistic) {
    throw new ConfigurationError(`${where}: MetricStat needs Metric.Namespace, Metric.MetricName and Stat.`);
  }
  const dimensions =
    metric.Dimensions === undefined
      ? []
      : expectList(metric.Dimensions, `${where}: MetricStat.Metric.Dimensions`);
  query.MetricStat = {
    Metric: {
      Namespace: namespace,
      MetricName: metricName,
      Dimensions: dimensions.map((dimension, index) => {
        const entry = expectObject(dimension, `${where}: Dimensions[${index}]`);
        if (typeof entry.Name !== 'string' || typeof entry.Value !== 'string') {
          throw new ConfigurationError(`${where}: Dimensions[${index}] needs Name and Value strings.`);
        }
        return { Name: entry.Name, Value: entry.Value };
      }),
    },
    Period: checkPeriod(stat.Period, `${where}: MetricStat`, 'Period', periodSeconds),
    Stat: statistic,
    ...(typeof stat.Unit === 'string'
      ? { Unit: stat.Unit as NonNullable<MetricDataQuery['MetricStat']>['Unit'] }
      : {}),
  };
  return query;
}

/** Every query must use the gate's period: the engine compares arms period by period. */
function checkPeriod(value: unknown, where: string, field: string, periodSeconds: number): number {
  if (value === undefined || value === null) return periodSeconds;
  if (value !== periodSeconds)
    throw fieldError(where, field, `the gate's period, ${periodSeconds} (or left out)`, value);
  return periodSeconds;
}
