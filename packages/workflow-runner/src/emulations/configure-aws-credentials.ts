// EMULATION of aws-actions/configure-aws-credentials: no STS call. It hands on the credentials the
// runner's env already holds (moto's, or a rehearsal's own) as the assumed role's, and records the
// role it was asked to assume. OIDC itself is not modelled.
import type { Emulation } from './emulation.js';

// Shorter values are test placeholders ("test"); masking them would blank ordinary words in every log.
const MASKED_LENGTH = 8;

export const configureAwsCredentials: Emulation = {
  inputs: [
    'aws-region',
    'role-to-assume',
    'aws-access-key-id',
    'aws-secret-access-key',
    'aws-session-token',
    'web-identity-token-file',
    'role-chaining',
    'audience',
    'http-proxy',
    'mask-aws-account-id',
    'role-duration-seconds',
    'role-external-id',
    'role-session-name',
    'role-skip-session-tagging',
    'inline-session-policy',
    'managed-session-policies',
    'output-credentials',
    'output-env-credentials',
    'unset-current-credentials',
    'disable-retry',
    'retry-max-attempts',
    'special-characters-workaround',
    'use-existing-credentials',
    'allowed-account-ids',
    'force-skip-oidc',
    'action-timeout-s',
  ],
  run: (step) => {
    const region = step.inputs['aws-region'] ?? '';
    if (region.trim() === '') throw new Error('input aws-region is required');
    const role = step.inputs['role-to-assume'] ?? '';
    if (role.trim() === '') {
      throw new Error(
        'input role-to-assume is empty: the delivery workflows assume a role through OIDC, and the emulation refuses to run without one',
      );
    }
    const accessKeyId = step.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = step.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new Error(
        "the runner's env has no AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY to hand out as the assumed role's credentials",
      );
    }
    const sessionToken = step.env.AWS_SESSION_TOKEN;
    for (const secret of [secretAccessKey, sessionToken]) {
      if (secret && secret.length >= MASKED_LENGTH) step.mask(secret);
    }
    const sessionName = step.inputs['role-session-name'] || 'GitHubActions';
    const account = /^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(role)?.[1] ?? '';
    const roleName = role.split('/').pop() ?? role;
    step.log(`Assumed ${role} (emulated: the runner's credentials are handed on; no STS call)`);
    return {
      exportVariables: {
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
        ...(sessionToken ? { AWS_SESSION_TOKEN: sessionToken } : {}),
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
      },
      outputs: account
        ? ({
            'aws-account-id': account,
            'authenticated-arn': `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
          } as Record<string, string>)
        : {},
      recorded: { 'role-to-assume': role, 'aws-region': region, 'role-session-name': sessionName },
    };
  },
};
