import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { InputReader } from '@ecs-ship/shared/inputs';
import { looksLikeCredentialName, type SecretRegistry } from '@ecs-ship/shared/secrets';
import type { Check } from './check.js';
import { parseChecks } from './parse-checks.js';
import { credentialParameters, credentialValueForms } from './query-credentials.js';
import { parseHttpUrl, splitCredentials } from './url.js';

export interface SmokeTestInputs {
  baseUrl?: URL;
  checks: Check[];
  deadlineMs: number;
  retryIntervalMs: number;
  consecutiveSuccesses: number;
  timeoutMs: number;
  reportDir?: string;
}

/** Reads and validates every input; nothing is sent before this returns. */
export function getInputs(inputs: InputReader, secrets: SecretRegistry): SmokeTestInputs {
  for (const [index, line] of inputs.lines('secrets').entries())
    secrets.add(line, `input "secrets" (value ${index + 1})`);

  const baseUrlText = inputs.optional('base-url');
  const baseUrl = baseUrlText !== undefined ? parseHttpUrl(baseUrlText, 'Input "base-url"') : undefined;
  // Masked even when no check uses base-url; each check that does gets them as a header.
  const baseCredentials = baseUrl ? splitCredentials(baseUrl).credentials : undefined;
  secrets.add(baseCredentials?.username, 'input "base-url" user name');
  secrets.add(baseCredentials?.password, 'input "base-url" password');
  for (const parameter of baseUrl ? credentialParameters(baseUrl) : []) {
    for (const form of credentialValueForms(parameter))
      secrets.add(form, `input "base-url" query parameter "${parameter.name}"`);
  }
  const document = inputs.yaml('checks');
  if (document === undefined)
    throw new ConfigurationError('Input "checks" is required: a YAML list of checks, inline or a file path.');
  const checks = parseChecks(document.value, baseUrl, secrets);
  for (const check of checks) {
    for (const [name, value] of Object.entries(check.headers)) {
      if (looksLikeCredentialName(name))
        secrets.add(value, `input "checks": check "${check.name}" header "${name}"`);
    }
  }

  const timeoutMs = inputs.integer('timeout-ms', 10_000, { min: 1, max: 600_000 });
  const reportDir = inputs.optional('report-dir');
  return {
    ...(baseUrl ? { baseUrl: splitCredentials(baseUrl).url } : {}),
    checks,
    deadlineMs: inputs.integer('deadline-seconds', 120, { min: 0, max: 86_400 }) * 1000,
    retryIntervalMs: inputs.number('retry-interval-seconds', 5, { min: 0.1, max: 3600 }) * 1000,
    consecutiveSuccesses: inputs.integer('consecutive-successes', 1, { min: 1, max: 100 }),
    timeoutMs,
    ...(reportDir ? { reportDir } : {}),
  };
}
