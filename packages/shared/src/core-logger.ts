import * as core from '@actions/core';
import type { Logger } from './logger.js';
import type { SecretRegistry } from './secrets.js';

/** The runner's log. Secrets are masked by the runner too; we redact first so local runs are safe. */
export function createCoreLogger(secrets?: SecretRegistry): Logger {
  const clean = (message: string): string => (secrets ? secrets.redact(message) : message);
  return {
    debug: (message) => core.debug(clean(message)),
    info: (message) => core.info(clean(message)),
    warning: (message) => core.warning(clean(message)),
    error: (message) => core.error(clean(message)),
    group: (title, body) => core.group(clean(title), body),
  };
}
