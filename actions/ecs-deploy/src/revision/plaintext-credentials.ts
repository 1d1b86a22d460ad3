import { ConfigurationError } from '@ecs-ship/shared/errors';

/**
 * Words whose presence in a variable's name makes it a credential's name. The name is split on
 * `_`, `-` and `.`; a part counts when it is one of these words or ends with one (API_KEY,
 * SECRET_KEY, AWS_SECRET_ACCESS_KEY, PRIVATE_KEY, ACCESS_KEY, DBPASSWORD, GITHUB_TOKEN). A part that
 * only starts with one does not (KEYCLOAK_URL, TOKENIZER_MODEL, SECRETS_PATH), nor a word inside a
 * longer part (PASSWORDLESS_LOGIN). The rule is on purpose this blunt: a false alarm costs one line
 * of `allow-plaintext-environment`, a miss a credential in every reader of the task definition.
 */
export const CREDENTIAL_WORDS = ['PASSWORD', 'PASSWD', 'TOKEN', 'SECRET', 'KEY'] as const;

/** `scheme://user:password@host` (the user may be empty: `redis://:password@host`). */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:[^\s/?#@]+@/i;

/** Why this variable looks like a plain-text credential, or undefined. Never quotes the value. */
export function plaintextCredentialReason(name: string, value: string | undefined): string | undefined {
  for (const part of name.toUpperCase().split(/[_.-]+/)) {
    const word = CREDENTIAL_WORDS.find((candidate) => part === candidate || part.endsWith(candidate));
    if (word)
      return `its name has ${part === word ? `the word ${word}` : `${part}, which ends with ${word}`}`;
  }
  if (value !== undefined && URL_WITH_PASSWORD.test(value)) return 'its value is a URL with a password in it';
  return undefined;
}

export interface PlainVariable {
  container: string;
  name: string;
  value?: string;
}

/**
 * Refuses the first variable that looks like a credential and is not in `allowed` (lines of
 * `container.NAME` from `allow-plaintext-environment`). `where` says where the variable is
 * ('Input "environment"', or the task-definition file); the error names container.NAME, never
 * the value, and says what to use instead.
 */
export function refusePlaintextCredentials(
  variables: readonly PlainVariable[],
  allowed: ReadonlySet<string>,
  where: (variable: PlainVariable) => string,
): void {
  for (const variable of variables) {
    const key = `${variable.container}.${variable.name}`;
    if (allowed.has(key)) continue;
    const reason = plaintextCredentialReason(variable.name, variable.value);
    if (reason === undefined) continue;
    throw new ConfigurationError(
      `${where(variable)} ${key} in plain text, and it looks like a credential (${reason}); plain-text environment ` +
        'variables are stored in the task definition for anyone who may describe it. Pass it with "secrets:" instead ' +
        `(${key}=<Secrets Manager secret ARN or SSM parameter>), or, if it is not secret, add "${key}" to "allow-plaintext-environment".`,
    );
  }
}

/** The variables that look like credentials and are not allowed, for a warning (names only). */
export function plaintextCredentialsIn(
  variables: readonly PlainVariable[],
  allowed: ReadonlySet<string>,
): string[] {
  return variables
    .filter(
      (variable) =>
        !allowed.has(`${variable.container}.${variable.name}`) &&
        plaintextCredentialReason(variable.name, variable.value) !== undefined,
    )
    .map((variable) => `${variable.container}.${variable.name}`);
}
