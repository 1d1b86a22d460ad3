import { ConfigurationError } from '@ecs-ship/shared/errors';
import { variantLabel, type Variant } from './variant.js';

/**
 * Words of a build-arg name that name a credential. Matched as whole words of the name (split at
 * `_`, `-`, `.` and camelCase), so HF_TOKEN and dbPassword are caught while TOKENIZER_NAME,
 * PASSTHROUGH and AUTHOR are not.
 */
const SECRET_WORDS = new Set([
  'TOKEN',
  'TOKENS',
  'SECRET',
  'SECRETS',
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'PASS',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
  'APIKEY',
  'PRIVATEKEY',
  'ACCESSKEY',
  'SECRETKEY',
  'PAT',
]);
/** Two-word names: API_KEY, PRIVATE_KEY, AWS_ACCESS_KEY_ID, SSH_KEY, ... */
const SECRET_PAIRS = new Set([
  'API KEY',
  'PRIVATE KEY',
  'ACCESS KEY',
  'SECRET KEY',
  'SSH KEY',
  'SIGNING KEY',
  'ENCRYPTION KEY',
  'MASTER KEY',
  'LICENSE KEY',
  'AUTH KEY',
]);

/** Values shaped like a credential, whatever the name. */
const SECRET_VALUES: Array<[RegExp, string]> = [
  [/\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/, 'a GitHub token (ghp_...)'],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}/, 'a GitHub fine-grained token'],
  [/-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/, 'a PEM private key'],
  [/\bhf_[A-Za-z0-9]{30,}/, 'a Hugging Face token (hf_...)'],
  [/\bnpm_[A-Za-z0-9]{36}\b/, 'an npm token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bsk-(proj-|ant-)?[A-Za-z0-9_-]{20,}/, 'an API secret key (sk-...)'],
  [/\b[rs]k_live_[A-Za-z0-9]{16,}/, 'a Stripe secret key'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/, 'a JSON web token'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i, 'a URL with a password in it'],
];

export interface SecretArgOptions {
  /** Names the user says are not secrets (a name-only match such as TOKEN_LIMIT); values are still checked. */
  allow?: string[];
}

/**
 * Build args stay in the image (`docker history`, the image config), readable by anyone who can
 * pull it, so a credential passed as one is published with the image. Every build arg whose name
 * or value looks like one is refused, all in one error, pointing to BuildKit secrets. Values are
 * never quoted back.
 */
export function refuseSecretLookingArgs(variants: Variant[], options: SecretArgOptions = {}): void {
  const allowed = new Set(options.allow ?? []);
  const found: string[] = [];
  variants.forEach((variant, index) => {
    for (const [name, value] of Object.entries(variant.buildArgs)) {
      const why = secretLooking(name, value, allowed.has(name));
      if (why) found.push(`${variantLabel(variant, index)}.build-args.${name} (${why})`);
    }
  });
  if (found.length === 0) return;
  const example = /build-args\.(\w+)/.exec(found[0] as string)?.[1] ?? 'TOKEN';
  throw new ConfigurationError(
    `${found.join('; ')} ${found.length === 1 ? 'looks' : 'look'} like a secret. Build args stay in the image history, readable by anyone who can pull the image. Pass secrets as BuildKit secrets instead: in the "secrets" input (${example}=\${{ secrets.${example} }}, given to the build as --secret id=${example}), read in the Dockerfile with RUN --mount=type=secret,id=${example} (the file /run/secrets/${example}).`,
  );
}

/** Why a build arg looks like a secret, or undefined. */
export function secretLooking(name: string, value: string, nameAllowed = false): string | undefined {
  const byValue = SECRET_VALUES.find(([pattern]) => pattern.test(value))?.[1];
  if (byValue) return `its value looks like ${byValue}`;
  if (nameAllowed) return undefined;
  const words = nameWords(name);
  const word = words.find((w) => SECRET_WORDS.has(w));
  if (word) return `its name contains ${word}`;
  for (let i = 0; i + 1 < words.length; i += 1) {
    const pair = `${words[i]} ${words[i + 1]}`;
    if (SECRET_PAIRS.has(pair)) return `its name contains ${pair.replace(' ', '_')}`;
  }
  return undefined;
}

/** `HF_TOKEN` → HF, TOKEN; `dbPassword` → DB, PASSWORD; `AWSAccessKey` → AWS, ACCESS, KEY. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toUpperCase());
}
