import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { refuseSecretLookingArgs, secretLooking } from '../src/secret-args.js';
import type { Variant } from '../src/variant.js';

const variant = (buildArgs: Record<string, string>, name = 'cuda'): Variant => ({
  name,
  buildArgs,
  tagSuffix: '',
  paths: ['**'],
  platforms: [],
});

// Shapes only, made up: none of these is a real credential.
const AWS_KEY_ID = `AKIA${'EXAMPLE0'.repeat(2)}`;
const GITHUB_TOKEN = `ghp_${'a1B2'.repeat(9)}`;
const FINE_GRAINED = `github_pat_${'x9'.repeat(41)}`;
const HF = `hf_${'AbCd'.repeat(9)}`;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl';
// Built from parts so that no secret scanner mistakes this file for a leaked key.
const PEM = ['-----BEGIN RSA PRIVATE', 'KEY-----\nMIIB...\n-----END RSA PRIVATE', 'KEY-----'].join(' ');
const OPENSSH = ['-----BEGIN OPENSSH PRIVATE', 'KEY-----'].join(' ');

describe('secretLooking: names', () => {
  it.each([
    ['HF_TOKEN', 'TOKEN'],
    ['GITHUB_TOKEN', 'TOKEN'],
    ['NPM_AUTH_TOKEN', 'TOKEN'],
    ['githubToken', 'TOKEN'],
    ['CLIENT_SECRET', 'SECRET'],
    ['client-secret', 'SECRET'],
    ['AWS_SECRET_ACCESS_KEY', 'SECRET'],
    ['DB_PASSWORD', 'PASSWORD'],
    ['dbPassword', 'PASSWORD'],
    ['MYSQL_PASSWD', 'PASSWD'],
    ['SMTP_PASS', 'PASS'],
    ['GOOGLE_APPLICATION_CREDENTIALS', 'CREDENTIALS'],
    ['REGISTRY_CREDENTIAL', 'CREDENTIAL'],
    ['GITHUB_PAT', 'PAT'],
    ['OPENAI_APIKEY', 'APIKEY'],
    ['API_KEY', 'API_KEY'],
    ['STRIPE_API_KEY', 'API_KEY'],
    ['apiKey', 'API_KEY'],
    ['SSH_PRIVATE_KEY', 'PRIVATE_KEY'],
    ['AWS_ACCESS_KEY_ID', 'ACCESS_KEY'],
    ['AWSAccessKey', 'ACCESS_KEY'],
    ['DEPLOY_SSH_KEY', 'SSH_KEY'],
    ['LICENSE_KEY', 'LICENSE_KEY'],
  ])('%s is refused (its name contains %s)', (name, word) => {
    expect(secretLooking(name, 'harmless')).toBe(`its name contains ${word}`);
  });

  it.each([
    'TORCH_INDEX_URL',
    'TOKENIZER_NAME',
    'HF_TOKENIZERS_PARALLELISM',
    'PASSTHROUGH',
    'AUTHOR',
    'KEY_ID',
    'CACHE_KEY',
    'PYTHON_VERSION',
    'CUDA_VERSION',
    'BASE_IMAGE',
    'SECRETARY_NAME',
    'PATH_PREFIX',
  ])('%s passes', (name) => {
    expect(secretLooking(name, 'https://download.pytorch.org/whl/cu121')).toBeUndefined();
  });
});

describe('secretLooking: values', () => {
  it.each([
    [AWS_KEY_ID, 'an AWS access key id'],
    [`ASIA${'EXAMPLE1'.repeat(2)}`, 'an AWS access key id'],
    [GITHUB_TOKEN, 'a GitHub token (ghp_...)'],
    [`prefix ${GITHUB_TOKEN} suffix`, 'a GitHub token (ghp_...)'],
    [FINE_GRAINED, 'a GitHub fine-grained token'],
    [PEM, 'a PEM private key'],
    [OPENSSH, 'a PEM private key'],
    [HF, 'a Hugging Face token (hf_...)'],
    [JWT, 'a JSON web token'],
    [`sk-${'q'.repeat(40)}`, 'an API secret key (sk-...)'],
    ['https://user:s3cret@pypi.example.com/simple', 'a URL with a password in it'],
    ['https://:s3cret@pypi.example.com/simple', 'a URL with a password in it'],
  ])('%j is refused whatever the name', (value, shape) => {
    expect(secretLooking('INNOCENT', value)).toBe(`its value looks like ${shape}`);
  });

  it.each([
    'https://download.pytorch.org/whl/cu121',
    'https://user@pypi.example.com/simple',
    'http://127.0.0.1:8080/path',
    '-----BEGIN CERTIFICATE-----',
    'AKIA-too-short',
    'skip-tests',
    '4',
    '',
  ])('%j passes', (value) => {
    expect(secretLooking('INNOCENT', value)).toBeUndefined();
  });
});

describe('refuseSecretLookingArgs', () => {
  it('lets TORCH_INDEX_URL and ordinary args through', () => {
    expect(() =>
      refuseSecretLookingArgs([
        variant({}, 'cpu'),
        variant({ TORCH_INDEX_URL: 'https://download.pytorch.org/whl/cu121', WORKERS: '4' }),
      ]),
    ).not.toThrow();
  });

  it('refuses every secret-looking arg in one error, naming variant and field, pointing to BuildKit secrets', () => {
    const check = () =>
      refuseSecretLookingArgs([
        variant({ PYTHON_VERSION: '3.12' }, 'cpu'),
        variant({ HF_TOKEN: HF, TORCH_INDEX_URL: 'https://download.pytorch.org/whl/cu121', KEY: AWS_KEY_ID }),
      ]);
    expect(check).toThrow(ConfigurationError);
    expect(check).toThrow(
      new ConfigurationError(
        'variants[1] (cuda).build-args.HF_TOKEN (its value looks like a Hugging Face token (hf_...)); variants[1] (cuda).build-args.KEY (its value looks like an AWS access key id) look like a secret. ' +
          'Build args stay in the image history, readable by anyone who can pull the image. Pass secrets as BuildKit secrets instead: ' +
          'in the "secrets" input (HF_TOKEN=${{ secrets.HF_TOKEN }}, given to the build as --secret id=HF_TOKEN), read in the Dockerfile with RUN --mount=type=secret,id=HF_TOKEN (the file /run/secrets/HF_TOKEN).',
      ),
    );
  });

  it('never quotes a value back', () => {
    const values = [
      HF,
      AWS_KEY_ID,
      GITHUB_TOKEN,
      PEM,
      'https://user:s3cret@pypi.example.com/simple',
      'plain-pass',
    ];
    const args = Object.fromEntries(values.map((value, i) => [i === 5 ? 'DB_PASSWORD' : `ARG_${i}`, value]));
    let message = '';
    try {
      refuseSecretLookingArgs([variant(args)]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('variants[0] (cuda).build-args.DB_PASSWORD (its name contains PASSWORD)');
    for (const value of values) expect(message).not.toContain(value);
    expect(message).not.toContain('s3cret');
  });

  it('lets a name the user allows through, but never a secret-shaped value', () => {
    expect(() =>
      refuseSecretLookingArgs([variant({ TOKEN_LIMIT: '4096' })], { allow: ['TOKEN_LIMIT'] }),
    ).not.toThrow();
    expect(() =>
      refuseSecretLookingArgs([variant({ TOKEN_LIMIT: GITHUB_TOKEN })], { allow: ['TOKEN_LIMIT'] }),
    ).toThrow('build-args.TOKEN_LIMIT (its value looks like a GitHub token');
  });
});
