import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { Logger } from '@ecs-ship/shared/logger';
import type { MetricSource, MetricWindow, Series } from './metric-source.js';

/** Pages of one GetMetricData read followed before giving up (each page holds up to 100,800 points). */
const MAX_PAGES = 20;

/** The read stopped short: the gate retries at its next poll instead of reading gaps as zeros. */
export class IncompleteMetricsError extends Error {
  override readonly name = 'IncompleteMetricsError';
}

/**
 * All queries in one GetMetricData request per poll, following NextToken. A result marked
 * PartialData is completed by the next page; a read still partial after the last page is refused
 * (IncompleteMetricsError), so missing counts are never read as zero traffic.
 */
export class CloudWatchSource implements MetricSource {
  calls = 0;
  constructor(
    private readonly client: CloudWatchClient,
    private readonly logger: Logger,
  ) {}

  async read(queries: readonly MetricDataQuery[], window: MetricWindow): Promise<Map<string, Series>> {
    const series = new Map<string, Series>(queries.map((query) => [query.Id ?? '', new Map()]));
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      this.calls += 1;
      const response = await this.client.send(
        new GetMetricDataCommand({
          MetricDataQueries: [...queries],
          StartTime: new Date(window.start),
          EndTime: new Date(window.end),
          ScanBy: 'TimestampAscending',
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const message of response.Messages ?? [])
        this.logger.warning(`CloudWatch: ${message.Code}: ${message.Value}`);
      for (const result of response.MetricDataResults ?? []) {
        const target = series.get(result.Id ?? '');
        if (!target) continue;
        if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError') {
          const detail = (result.Messages ?? []).map((message) => message.Value).join('; ');
          throw new Error(
            `CloudWatch answered ${result.StatusCode} for query ${result.Id}${detail ? `: ${detail}` : ''}`,
          );
        }
        const timestamps = result.Timestamps ?? [];
        const values = result.Values ?? [];
        timestamps.forEach((timestamp, index) => {
          const value = values[index];
          if (value !== undefined && Number.isFinite(value)) target.set(new Date(timestamp).getTime(), value);
        });
      }
      nextToken = response.NextToken;
      if (!nextToken) {
        const partial = (response.MetricDataResults ?? []).filter(
          (result) => result.StatusCode === 'PartialData',
        );
        if (partial.length > 0)
          throw new IncompleteMetricsError(
            `CloudWatch still marks ${partial.map((result) => result.Id).join(', ')} as PartialData`,
          );
        return series;
      }
    }
    throw new IncompleteMetricsError(`GetMetricData needed more than ${MAX_PAGES} pages`);
  }
}
