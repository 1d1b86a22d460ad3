/** Which AWS service a request was for, as far as the emulator tells them apart. */
export type AwsServiceName = 'ecs' | 'elbv2' | 'cloudwatch' | 'other';

/** One request the emulator received, answered by itself or by moto. */
export interface RecordedCall {
  /** Simulated epoch ms at which the request arrived. */
  at: number;
  service: AwsServiceName;
  operation: string;
  /** The parsed request: the JSON body, or the Query parameters as an object. */
  input: Record<string, unknown>;
  /** HTTP status of the answer. */
  status: number;
  /** The error's name when the answer was an error (injected, modelled or moto's). */
  error?: string;
}
