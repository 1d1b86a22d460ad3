/** Where ECS fetches a container secret from when the task starts (the container's `secrets[].valueFrom`). */
export type SecretSource = 'Secrets Manager' | 'SSM Parameter Store';

/**
 * arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME, the name possibly ending in Secrets
 * Manager's 6-character suffix (`-AbCdEf`, part of the name's character set, so not told apart),
 * optionally followed by `:json-key:version-stage:version-id`, each of which may be empty (ECS
 * needs the colons to tell the three apart).
 */
const SECRETS_MANAGER_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}(?::[^:\s]*:[^:\s]*:[^:\s]*)?$/;
/** arn:aws:ssm:REGION:ACCOUNT:parameter/NAME, NAME with its path (`parameter/prod/db/password`). */
const SSM_PARAMETER_ARN =
  /^arn:aws[a-z-]*:ssm:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:parameter\/[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
/** A parameter of the task's own region by name: `/path/name` or `name` (SSM's name characters). */
const SSM_PARAMETER_NAME = /^\/?[A-Za-z0-9_.-]{1,1011}(?:\/[A-Za-z0-9_.-]+)*$/;

export const SECRET_REFERENCE_FORMS =
  'a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME, optionally :json-key:version-stage:version-id), ' +
  'an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME) or an SSM parameter name (/path/name or name)';

/** The kind of a `valueFrom`, or undefined when it is none of the forms ECS takes. */
export function secretSourceOf(valueFrom: string): SecretSource | undefined {
  if (SECRETS_MANAGER_ARN.test(valueFrom)) return 'Secrets Manager';
  if (SSM_PARAMETER_ARN.test(valueFrom) || SSM_PARAMETER_NAME.test(valueFrom)) return 'SSM Parameter Store';
  return undefined;
}
