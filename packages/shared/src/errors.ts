/**
 * A mistake the user can fix in the workflow file or the AWS configuration. Its message is an
 * instruction, so it is shown without a stack trace; anything else is a bug or an outage and keeps it.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** The work ran and the outcome is a failure the summary explains (a failed check, a rollback). */
export class OutcomeError extends Error {
  override readonly name = 'OutcomeError';
}

/** The workflow run was cancelled (SIGINT / SIGTERM from the runner). */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(message = 'cancelled') {
    super(message);
  }
}

export function isConfigurationError(error: unknown): error is ConfigurationError {
  return error instanceof ConfigurationError;
}

/** The one line a person reads first: the message for known errors, name and message otherwise. */
export function describeError(error: unknown): string {
  if (
    error instanceof ConfigurationError ||
    error instanceof OutcomeError ||
    error instanceof CancelledError
  ) {
    return error.message;
  }
  if (error instanceof Error) {
    const code = (error as { Code?: string; code?: string }).Code ?? (error as { code?: string }).code;
    const prefix = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
    return `${prefix}${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}`;
  }
  return String(error);
}
