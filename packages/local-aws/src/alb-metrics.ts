// The AWS/ApplicationELB metrics of one target group for one minute, as an ALB publishes them:
// shared by the synthetic traffic (counts drawn from a model) and the local load balancer (counts
// of real requests).
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';

export interface AlbMinute {
  /** Epoch ms of the minute's start. */
  periodStart: number;
  targetGroupArn: string;
  /** Requests the load balancer sent to a target of the group (RequestCount). */
  requests: number;
  /** Answers 500..599 from the targets (HTTPCode_Target_5XX_Count). */
  target5xx: number;
  /** Requests that found no connection to a target (TargetConnectionErrorCount). */
  connectionErrors: number;
  /** Seconds, summed over the answered requests (TargetResponseTime). */
  latencySum: number;
  /** Fastest and slowest answer in seconds; undefined: derived from the mean. */
  latencyMin?: number;
  latencyMax?: number;
  /** UnHealthyHostCount. */
  unhealthy: number;
}

/** The metric data of one minute, with dimensions LoadBalancer (app/<name>/<id>) and TargetGroup. */
export function albDatums(loadBalancer: string, minute: AlbMinute): MetricDatum[] {
  const targetGroup = minute.targetGroupArn.split(':').pop() ?? minute.targetGroupArn;
  const Dimensions = [
    { Name: 'LoadBalancer', Value: loadBalancer },
    { Name: 'TargetGroup', Value: targetGroup },
  ];
  const Timestamp = new Date(minute.periodStart);
  const data: MetricDatum[] = [
    { MetricName: 'UnHealthyHostCount', Dimensions, Timestamp, Value: minute.unhealthy, Unit: 'Count' },
  ];
  // A group without traffic publishes no request metrics, as an ALB does.
  if (minute.requests === 0) return data;
  const answered = minute.requests - minute.connectionErrors;
  data.push(
    { MetricName: 'RequestCount', Dimensions, Timestamp, Value: minute.requests, Unit: 'Count' },
    {
      MetricName: 'HTTPCode_Target_5XX_Count',
      Dimensions,
      Timestamp,
      Value: minute.target5xx,
      Unit: 'Count',
    },
    {
      MetricName: 'TargetConnectionErrorCount',
      Dimensions,
      Timestamp,
      Value: minute.connectionErrors,
      Unit: 'Count',
    },
  );
  if (answered > 0) {
    const mean = minute.latencySum / answered;
    data.push({
      MetricName: 'TargetResponseTime',
      Dimensions,
      Timestamp,
      Unit: 'Seconds',
      StatisticValues: {
        SampleCount: answered,
        Sum: minute.latencySum,
        Minimum: minute.latencyMin ?? mean * 0.5,
        Maximum: minute.latencyMax ?? mean * 2,
      },
    });
  }
  return data;
}

/** A CloudWatch client to moto for publishing these metrics (not recorded among the actions' calls). */
export function albMetricsClient(handle: { region: string; motoEndpoint: string }): CloudWatchClient {
  return new CloudWatchClient({
    region: handle.region,
    endpoint: handle.motoEndpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
    // The SDK gzips PutMetricData bodies over 10 KB; moto 5.2 answers a gzipped body with HTTP 500.
    disableRequestCompression: true,
  });
}

/** PutMetricData in the namespace AWS/ApplicationELB, 200 data a call (an older API limit kept). */
export async function putAlbMetrics(cloudwatch: CloudWatchClient, data: MetricDatum[]): Promise<void> {
  for (let index = 0; index < data.length; index += 200)
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricData: data.slice(index, index + 200),
      }),
    );
}
