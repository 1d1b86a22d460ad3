import { ConfigurationError } from '@ecs-ship/shared/errors';

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  check: string;
  status: CheckStatus;
  /** The refusal's message, or what was checked. */
  detail: string;
}

/**
 * Runs the named checks a deploy makes before its first change. A deploy stops at the first
 * refusal (`stopAtFirst`: the ConfigurationError propagates, nothing was changed); mode validate
 * records every check's outcome for its table and goes on with those that do not depend on a
 * failed one. Both run the same check code, so what validate passes a deploy passes too.
 */
export class Checks {
  readonly results: CheckResult[] = [];

  private constructor(private readonly collect: boolean) {}

  static stopAtFirst(): Checks {
    return new Checks(false);
  }

  static collectAll(): Checks {
    return new Checks(true);
  }

  /** The value of `body`, or undefined when it was refused (collecting). Bugs always propagate. */
  run<T>(check: string, body: () => T, detail: (value: T) => string = () => ''): T | undefined {
    if (!this.collect) return body();
    try {
      const value = body();
      this.results.push({ check, status: 'passed', detail: detail(value) });
      return value;
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      this.results.push({ check, status: 'failed', detail: error.message });
      return undefined;
    }
  }

  skip(check: string, why: string): void {
    if (this.collect) this.results.push({ check, status: 'skipped', detail: why });
  }

  get failed(): boolean {
    return this.results.some((result) => result.status === 'failed');
  }
}
