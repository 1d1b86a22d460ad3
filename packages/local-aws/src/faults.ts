import { AwsError } from './aws-error.js';

/** The error an injected fault answers with. */
export type FaultError =
  'ThrottlingException' | 'ServerException' | { name: string; message?: string; status?: number };

export interface FaultSpec {
  /** Operation name, e.g. ContinueServiceDeployment, DescribeRules, PutMetricData. */
  operation: string;
  /** How many matching calls fail (default 1); Infinity for every one. */
  times?: number;
  error: FaultError;
  /** Only calls whose parsed input this accepts fail. */
  when?: (input: Record<string, unknown>) => boolean;
}

interface ArmedFault extends FaultSpec {
  remaining: number;
}

/** Faults injected on any call, modelled or forwarded to moto; each fires `times` times. */
export class FaultInjector {
  private readonly armed: ArmedFault[] = [];

  add(spec: FaultSpec): void {
    this.armed.push({ ...spec, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.armed.length = 0;
  }

  /** Faults that have not fired all their times yet. */
  pending(): FaultSpec[] {
    return this.armed.filter((fault) => fault.remaining > 0);
  }

  /** The error the next call of `operation` with `input` must get, consuming one firing. */
  take(operation: string, input: Record<string, unknown>): AwsError | undefined {
    for (const fault of this.armed) {
      if (fault.remaining <= 0 || fault.operation !== operation) continue;
      if (fault.when && !fault.when(input)) continue;
      fault.remaining -= 1;
      return toAwsError(fault.error, operation);
    }
    return undefined;
  }
}

function toAwsError(error: FaultError, operation: string): AwsError {
  if (error === 'ThrottlingException') return new AwsError('ThrottlingException', 'Rate exceeded', 400);
  if (error === 'ServerException')
    return new AwsError('ServerException', `Injected server error on ${operation}`, 500);
  return new AwsError(
    error.name,
    error.message ?? `Injected ${error.name} on ${operation}`,
    error.status ?? 400,
  );
}
