import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';

/** Values of one query keyed by period start (epoch ms). */
export type Series = Map<number, number>;

export interface MetricWindow {
  start: number;
  /** Exclusive; the source returns only periods that start before it. */
  end: number;
}

/** Where the gate reads metrics: CloudWatch, or exported history in replay. */
export interface MetricSource {
  read(queries: readonly MetricDataQuery[], window: MetricWindow): Promise<Map<string, Series>>;
  /** API calls made so far (GetMetricData pages), for the report. */
  readonly calls: number;
}
