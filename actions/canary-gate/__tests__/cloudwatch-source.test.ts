import { describe, expect, it } from '@jest/globals';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { MemoryLogger } from '@ecs-ship/shared/logger';
import { CloudWatchSource } from '../src/cloudwatch-source.js';

const t = (minute: number) => new Date(Date.UTC(2026, 10, 23, 12, minute));
const queries = [
  { Id: 'alb_requests_canary', Expression: 'x', ReturnData: true },
  { Id: 'alb_5xx_canary', Expression: 'y', ReturnData: true },
];

describe('CloudWatchSource', () => {
  it('reads all queries in one call per page, follows NextToken and merges PartialData pages', async () => {
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          {
            Id: 'alb_requests_canary',
            Timestamps: [t(0), t(1)],
            Values: [100, 120],
            StatusCode: 'PartialData',
          },
          { Id: 'alb_5xx_canary', Timestamps: [t(1)], Values: [2], StatusCode: 'Complete' },
        ],
        NextToken: 'page-2',
        Messages: [],
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'alb_requests_canary', Timestamps: [t(2)], Values: [90], StatusCode: 'Complete' },
        ],
        Messages: [{ Code: 'MaxQueryTimeRangeExceed', Value: 'narrowed' }],
      });
    const logger = new MemoryLogger();
    const source = new CloudWatchSource(new CloudWatchClient({ region: 'eu-west-1' }), logger);
    const series = await source.read(queries, { start: t(0).getTime(), end: t(3).getTime() });
    expect([...(series.get('alb_requests_canary') ?? [])]).toEqual([
      [t(0).getTime(), 100],
      [t(1).getTime(), 120],
      [t(2).getTime(), 90],
    ]);
    expect([...(series.get('alb_5xx_canary') ?? [])]).toEqual([[t(1).getTime(), 2]]);
    expect(source.calls).toBe(2);
    const calls = cloudwatch.commandCalls(GetMetricDataCommand);
    expect(calls[0]?.args[0].input).toMatchObject({
      MetricDataQueries: queries,
      StartTime: t(0),
      EndTime: t(3),
      ScanBy: 'TimestampAscending',
    });
    expect(calls[1]?.args[0].input.NextToken).toBe('page-2');
    expect(logger.lines).toEqual(['CloudWatch: MaxQueryTimeRangeExceed: narrowed']);
  });

  it('fails loudly on a Forbidden result instead of reading it as no data', async () => {
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        {
          Id: 'alb_5xx_canary',
          StatusCode: 'Forbidden',
          Messages: [{ Code: 'Forbidden', Value: 'no access to account 2' }],
        },
      ],
    });
    const source = new CloudWatchSource(new CloudWatchClient({ region: 'eu-west-1' }), new MemoryLogger());
    await expect(source.read(queries, { start: 0, end: 60_000 })).rejects.toThrow(
      'CloudWatch answered Forbidden for query alb_5xx_canary: no access to account 2',
    );
  });
});
