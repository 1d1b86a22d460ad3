import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigurationError } from '@ecs-ship/shared/errors';

export interface AlarmState {
  name: string;
  state: string;
  reason?: string;
}

/** CloudWatch alarms whose ALARM state rolls the canary back at once, whatever the statistics say. */
export class AlarmWatch {
  calls = 0;
  constructor(
    private readonly client: CloudWatchClient,
    readonly names: readonly string[],
  ) {}

  async states(): Promise<AlarmState[]> {
    const states: AlarmState[] = [];
    // DescribeAlarms takes up to 100 names per call.
    for (let offset = 0; offset < this.names.length; offset += 100) {
      const names = this.names.slice(offset, offset + 100);
      let nextToken: string | undefined;
      do {
        this.calls += 1;
        const response = await this.client.send(
          new DescribeAlarmsCommand({
            AlarmNames: names,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
        for (const alarm of [...(response.MetricAlarms ?? []), ...(response.CompositeAlarms ?? [])]) {
          states.push({
            name: alarm.AlarmName ?? '',
            state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
            ...(alarm.StateReason ? { reason: alarm.StateReason } : {}),
          });
        }
        nextToken = response.NextToken;
      } while (nextToken);
    }
    return states;
  }

  /** Before the gate starts: every named alarm must exist, or the watch would silently miss it. */
  async verify(): Promise<AlarmState[]> {
    const states = await this.states();
    const found = new Set(states.map((state) => state.name));
    const missing = this.names.filter((name) => !found.has(name));
    if (missing.length > 0)
      throw new ConfigurationError(
        `Input "alarms": no CloudWatch alarm named ${missing.map((name) => JSON.stringify(name)).join(', ')}.`,
      );
    return states;
  }
}
