import { ConfigurationError } from '@ecs-ship/shared/errors';
import { InputReader } from '@ecs-ship/shared/inputs';

/**
 * The action-input reader over one entry of a list setting: the same parsing and limits as the
 * action input the setting becomes, with errors that say which entry ("services[1] (worker)").
 */
export class EntryReader extends InputReader {
  constructor(
    private readonly fields: Partial<Record<string, string>>,
    readonly label: string,
  ) {
    super((name) => fields[name] ?? '');
  }

  override fail(name: string, expected: string, given: string): never {
    throw new ConfigurationError(
      `${this.label}: "${name}" must be ${expected}; got ${JSON.stringify(given)}.`,
    );
  }

  override required(name: string): string {
    const value = this.raw(name);
    if (value === '') throw new ConfigurationError(`${this.label}: "${name}" is required and was not set.`);
    return value;
  }
}
