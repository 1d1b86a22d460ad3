// What the rehearsal's index.html is made of: plain data, written next to it as JSON too, so the
// report is built from what happened and nothing else.

/** One step that wrote a job summary, in the order the pipeline ran it. */
export interface ReportStep {
  index: number;
  workflow: string;
  job: string;
  step: string;
  conclusion: string;
  /** Simulated epoch ms. */
  startedAt: number;
  endedAt: number;
  /** The job summary as the action wrote it (GitHub-flavoured Markdown, mermaid blocks included). */
  summary: string;
  /** Where the summary is kept, relative to the run's directory (steps/NN-slug.md). */
  summaryFile: string;
}

/** A revision's production traffic share over time in one environment. */
export interface ReportSeries {
  environment: string;
  service: string;
  targetGroup: string;
  /** The task definition it runs (family:revision). */
  revision: string;
  /** Simulated epoch ms and percent (0..100), a step function: each value holds until the next point. */
  points: Array<{ at: number; percent: number }>;
}

/** A moment worth marking on a timeline: an approval, a gate decision, a rollback. */
export interface ReportMarker {
  at: number;
  environment: string;
  label: string;
  kind: 'approval' | 'decision' | 'rollback';
}

/** One AWS request the actions (or the rehearsal) made to the local AWS. */
export interface ReportCall {
  at: number;
  service: string;
  operation: string;
  status: number;
  error?: string;
  environment?: string;
}

/** One load balancer minute of one target group, as published to CloudWatch. */
export interface ReportTrafficMinute {
  environment: string;
  periodStart: number;
  targetGroup: string;
  requests: number;
  target5xx: number;
  latencyAvgMs: number;
}

export interface RehearsalReport {
  title: string;
  run: string;
  mode: 'docker' | 'process';
  startedAt: number;
  endedAt: number;
  /** Simulated ms per real ms. */
  rate: number;
  outcome: { status: 'success' | 'rolled-back' | 'failed'; sentence: string };
  steps: ReportStep[];
  series: ReportSeries[];
  markers: ReportMarker[];
  calls: ReportCall[];
  traffic: ReportTrafficMinute[];
}
