import { readFile } from 'node:fs/promises';
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { MetricSource, MetricWindow, Series } from './metric-source.js';

interface ExportedResult {
  Id?: unknown;
  Timestamps?: unknown;
  Values?: unknown;
}

/**
 * Metrics from files in the format `aws cloudwatch get-metric-data` prints. Every file is read once;
 * results with the same Id across files (several exports of one deployment) are merged.
 */
export class ReplaySource implements MetricSource {
  calls = 0;
  private constructor(private readonly data: Map<string, Series>) {}

  static async load(files: readonly string[], queries: readonly MetricDataQuery[]): Promise<ReplaySource> {
    if (files.length === 0) throw new ConfigurationError('Input "replay" matched no file.');
    const data = new Map<string, Series>();
    for (const file of files) {
      let document: unknown;
      try {
        document = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new ConfigurationError(
          `Input "replay": ${file} is not a JSON export of get-metric-data (${(error as Error).message}).`,
        );
      }
      const results = (document as { MetricDataResults?: unknown }).MetricDataResults;
      if (!Array.isArray(results)) {
        throw new ConfigurationError(
          `Input "replay": ${file} has no "MetricDataResults" list; export it with aws cloudwatch get-metric-data.`,
        );
      }
      for (const [index, result] of (results as ExportedResult[]).entries()) {
        const where = `Input "replay": ${file} MetricDataResults[${index}]`;
        if (
          typeof result.Id !== 'string' ||
          !Array.isArray(result.Timestamps) ||
          !Array.isArray(result.Values)
        ) {
          throw new ConfigurationError(`${where} needs "Id", "Timestamps" and "Values".`);
        }
        if (result.Timestamps.length !== result.Values.length) {
          throw new ConfigurationError(
            `${where} has ${result.Timestamps.length} timestamps but ${result.Values.length} values.`,
          );
        }
        const series = data.get(result.Id) ?? new Map<number, number>();
        result.Timestamps.forEach((timestamp: unknown, position: number) => {
          const at =
            typeof timestamp === 'string' || typeof timestamp === 'number'
              ? new Date(timestamp).getTime()
              : NaN;
          const value = (result.Values as unknown[])[position];
          if (!Number.isFinite(at) || typeof value !== 'number') {
            throw new ConfigurationError(`${where}: entry ${position} is not a timestamp and a number.`);
          }
          series.set(at, value);
        });
        data.set(result.Id, series);
      }
    }
    const missing = queries.map((query) => query.Id ?? '').filter((id) => !data.has(id));
    if (missing.length > 0) {
      throw new ConfigurationError(
        `Input "replay": the files have no results for the query Id(s) ${missing.join(', ')}; they have ${[...data.keys()].join(', ') || 'none'}. Export with these Ids.`,
      );
    }
    return new ReplaySource(data);
  }

  /** The first period in the files: where a replay starts. */
  get firstTimestamp(): number | undefined {
    let first: number | undefined;
    for (const series of this.data.values()) {
      for (const at of series.keys()) if (first === undefined || at < first) first = at;
    }
    return first;
  }

  get lastTimestamp(): number | undefined {
    let last: number | undefined;
    for (const series of this.data.values()) {
      for (const at of series.keys()) if (last === undefined || at > last) last = at;
    }
    return last;
  }

  async read(queries: readonly MetricDataQuery[], window: MetricWindow): Promise<Map<string, Series>> {
    this.calls += 1;
    const out = new Map<string, Series>();
    for (const query of queries) {
      const id = query.Id ?? '';
      const visible = new Map<number, number>();
      for (const [at, value] of this.data.get(id) ?? []) {
        if (at >= window.start && at < window.end) visible.set(at, value);
      }
      out.set(id, visible);
    }
    return out;
  }
}
