import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { parse } from 'yaml';
import { Checks } from '../src/checks.js';
import { repositoryOf } from '../src/images-from/resolve.js';
import { ACTION_INPUTS, INPUT_DEFAULTS } from '../src/inputs.js';
import { plaintextCredentialReason } from '../src/revision/plaintext-credentials.js';
import { renderTaskDefinition, type Overrides } from '../src/revision/render.js';
import { secretSourceOf } from '../src/revision/secret-references.js';
import { fromDescribed, toRegistrable } from '../src/revision/task-definition.js';
import {
  ACCOUNT,
  commandNames,
  currentTaskDefinition,
  deploy,
  readAnyInputs,
  readInputs,
  REGION,
  scenario,
} from './__fixtures__/lifecycle.js';

const actionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SM = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/api/token-AbCdEf`;
const SSM = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/api/stripe`;
const overrides = (given: Partial<Overrides>): Overrides => ({
  images: [],
  environment: [],
  secrets: [],
  allowPlaintext: [],
  ...given,
});
const registrable = fromDescribed(currentTaskDefinition);

describe('secret references (valueFrom)', () => {
  it.each<[string, string | undefined]>([
    [SM, 'Secrets Manager'],
    [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db`, 'Secrets Manager'],
    [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf:password::`, 'Secrets Manager'],
    [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf::AWSPREVIOUS:`, 'Secrets Manager'],
    [`arn:aws-us-gov:secretsmanager:us-gov-west-1:${ACCOUNT}:secret:db-AbCdEf`, 'Secrets Manager'],
    [SSM, 'SSM Parameter Store'],
    ['/prod/api/stripe', 'SSM Parameter Store'],
    ['stripe_key', 'SSM Parameter Store'],
    // Malformed: a partial JSON-key suffix, another service, a region that is not one, white space.
    [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf:password`, undefined],
    [`arn:aws:s3:::bucket/key`, undefined],
    [`arn:aws:ssm:prod:${ACCOUNT}:parameter/x`, undefined],
    ['two words', undefined],
    ['postgres://admin:hunter22@db', undefined],
    ['', undefined],
  ])('%s → %s', (valueFrom, source) => {
    expect(secretSourceOf(valueFrom)).toBe(source);
  });
});

describe('plain-text credentials', () => {
  it.each<[string, string | undefined, boolean]>([
    ['API_KEY', 'x', true],
    ['SECRET_KEY', 'x', true],
    ['AWS_SECRET_ACCESS_KEY', 'x', true],
    ['PRIVATE_KEY', 'x', true],
    ['ACCESS_KEY', 'x', true],
    ['DB_PASSWORD', 'x', true],
    ['db-passwd', 'x', true],
    ['GITHUB_TOKEN', 'x', true],
    ['APIKEY', 'x', true],
    ['stripeSecret', 'x', true],
    ['CACHE_KEY_PREFIX', 'x', true],
    ['KEYCLOAK_URL', 'https://auth.example.com', false],
    ['TOKENIZER_MODEL', 'bpe', false],
    ['SECRETS_PATH', '/run/secrets', false],
    ['PASSWORDLESS_LOGIN', 'true', false],
    ['LOG_LEVEL', 'debug', false],
    ['DATABASE_URL', 'postgres://admin:hunter22@db:5432/app', true],
    ['REDIS_URL', 'redis://:hunter22@cache:6379', true],
    ['DATABASE_URL', 'postgres://db:5432/app', false],
    ['UPSTREAM', 'http://user@proxy:8080', false],
  ])('%s=%s → %s', (name, value, credential) => {
    expect(plaintextCredentialReason(name, value) !== undefined).toBe(credential);
  });

  it('refuses a credential-like environment input, naming the input and container.NAME, never the value', () => {
    const value = 'sk_live_hunter22';
    const render = () =>
      renderTaskDefinition(
        registrable,
        overrides({ environment: [{ container: 'app', name: 'STRIPE_KEY', value }] }),
      );
    expect(render).toThrow(ConfigurationError);
    expect(render).toThrow(
      'Input "environment" sets app.STRIPE_KEY in plain text, and it looks like a credential (its name has the word KEY)',
    );
    expect(render).toThrow('Pass it with "secrets:" instead');
    expect(render).toThrow('add "app.STRIPE_KEY" to "allow-plaintext-environment"');
    expect(render).not.toThrow(value);
  });

  it('refuses a URL with a password without quoting it', () => {
    const render = () =>
      renderTaskDefinition(
        registrable,
        overrides({
          environment: [
            { container: 'app', name: 'DATABASE_URL', value: 'postgres://admin:hunter22@db/app' },
          ],
        }),
      );
    expect(render).toThrow(
      'app.DATABASE_URL in plain text, and it looks like a credential (its value is a URL with a password in it)',
    );
    expect(render).not.toThrow('hunter22');
  });

  it('lets through what allow-plaintext-environment lists', () => {
    const rendered = renderTaskDefinition(
      registrable,
      overrides({
        environment: [{ container: 'app', name: 'CACHE_KEY_PREFIX', value: 'web:' }],
        allowPlaintext: ['app.CACHE_KEY_PREFIX'],
      }),
    );
    expect(rendered.taskDefinition.containerDefinitions[0]?.environment).toContainEqual({
      name: 'CACHE_KEY_PREFIX',
      value: 'web:',
    });
  });

  it('refuses credentials already in a task-definition file given to us, and only warns about a registered revision', () => {
    const withToken = structuredClone(registrable);
    withToken.containerDefinitions[0]?.environment?.push({ name: 'API_TOKEN', value: 'tok-1234' });
    const file = 'Input "task-definition" (file td.json)';
    expect(() =>
      renderTaskDefinition(withToken, overrides({}), { base: { kind: 'file', where: file } }),
    ).toThrow(`${file}: container "app" has app.API_TOKEN in plain text`);
    expect(
      renderTaskDefinition(withToken, overrides({ allowPlaintext: ['app.API_TOKEN'] }), {
        base: { kind: 'file', where: file },
      }).plaintextWarnings,
    ).toEqual([]);
    expect(renderTaskDefinition(withToken, overrides({})).plaintextWarnings).toEqual(['app.API_TOKEN']);
  });
});

describe('rendering secrets', () => {
  it('adds and replaces secrets by name, keeps the others, and reports names and sources only', () => {
    const rendered = renderTaskDefinition(
      registrable,
      overrides({
        secrets: [
          { container: 'app', name: 'API_TOKEN', valueFrom: SM, source: 'Secrets Manager' },
          { container: 'app', name: 'DB_PASSWORD', valueFrom: SSM, source: 'SSM Parameter Store' },
        ],
      }),
    );
    expect(rendered.taskDefinition.containerDefinitions[0]?.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: SSM },
      { name: 'API_TOKEN', valueFrom: SM },
    ]);
    expect(rendered.secrets).toEqual([
      {
        container: 'app',
        secrets: [
          { name: 'API_TOKEN', source: 'Secrets Manager' },
          { name: 'DB_PASSWORD', source: 'SSM Parameter Store' },
        ],
      },
    ]);
    expect(JSON.stringify(rendered.secrets)).not.toContain('arn:');
    // The base is not changed.
    expect(registrable.containerDefinitions[0]?.secrets).toHaveLength(1);
  });

  it.each<[string, Partial<Overrides>, string]>([
    [
      'an unknown container',
      { secrets: [{ container: 'worker', name: 'X', valueFrom: SM, source: 'Secrets Manager' }] },
      'Input "secrets" names container "worker"',
    ],
    [
      'a name the container has in its environment',
      { secrets: [{ container: 'app', name: 'LOG_LEVEL', valueFrom: SSM, source: 'SSM Parameter Store' }] },
      'Input "secrets" sets app.LOG_LEVEL, which container "app" already has as a plain-text environment variable (the revision it starts from); it would be both.',
    ],
    [
      'a name set by "environment" too',
      {
        secrets: [{ container: 'app', name: 'API_TOKEN', valueFrom: SM, source: 'Secrets Manager' }],
        environment: [{ container: 'app', name: 'API_TOKEN', value: 'x' }],
      },
      'Inputs "environment" and "secrets" both set app.API_TOKEN',
    ],
  ])('refuses %s', (_name, given, message) => {
    expect(() => renderTaskDefinition(registrable, overrides(given))).toThrow(message);
  });

  it('refuses secrets in a task definition without an executionRoleArn (ECS fetches them with it)', () => {
    const { executionRoleArn: _none, ...withoutRole } = registrable;
    expect(() => renderTaskDefinition(withoutRole, overrides({}))).toThrow(
      'Container "app" takes secrets, but task definition family "web" has no "executionRoleArn"',
    );
  });

  it('collects every check in mode validate instead of stopping at the first', () => {
    const checks = Checks.collectAll();
    renderTaskDefinition(
      registrable,
      overrides({
        images: [{ container: 'worker', image: 'x:1' }],
        environment: [{ container: 'app', name: 'API_KEY', value: 'x' }],
      }),
      { base: { kind: 'revision' }, checks },
    );
    expect(checks.results.map((result) => [result.check, result.status])).toEqual([
      ['images', 'failed'],
      ['secrets', 'passed'],
      ['environment', 'failed'],
    ]);
  });
});

describe('inputs of secrets, environment refusal and images-from', () => {
  const base = { cluster: 'prod', service: 'web' };
  it('reads secrets with their source', () => {
    expect(readInputs({ ...base, secrets: `app.API_TOKEN=${SM}\napp.STRIPE=/prod/stripe` }).secrets).toEqual([
      { container: 'app', name: 'API_TOKEN', valueFrom: SM, source: 'Secrets Manager' },
      { container: 'app', name: 'STRIPE', valueFrom: '/prod/stripe', source: 'SSM Parameter Store' },
    ]);
  });

  it.each([
    [
      { secrets: 'app.API_TOKEN=hunter22 pasted' },
      'Input "secrets": app.API_TOKEN must be a Secrets Manager secret ARN',
    ],
    [{ secrets: 'API_TOKEN=x' }, 'Input "secrets" must be lines of container.NAME=value'],
    [
      { 'task-definition-arn': 'web:41', secrets: `app.API_TOKEN=${SM}` },
      'Input "task-definition-arn" deploys a revision unchanged, so "secrets" cannot be used with it',
    ],
    [
      { 'allow-plaintext-environment': 'CACHE_KEY_PREFIX' },
      'Input "allow-plaintext-environment" must be lines of container.NAME',
    ],
    [{ images: 'app=x:1', 'images-from': 'dev/web' }, 'Inputs "images" and "images-from" are exclusive'],
    [
      { 'task-definition-arn': 'web:41', 'images-from': 'dev/web' },
      'so "images-from" cannot be used with it',
    ],
    [{ 'images-from': 'dev' }, 'Input "images-from" must be CLUSTER/SERVICE'],
    [
      { 'images-from-role': 'arn:aws:iam::111111111111:role/x' },
      'Input "images-from-role" applies to the reads of "images-from", which is not set.',
    ],
    [
      { 'images-from': 'dev/web', 'images-from-role': 'role/x' },
      'Input "images-from-role" must be an IAM role ARN',
    ],
    [
      { 'images-from': 'dev/web', 'images-from-region': 'Ireland' },
      'Input "images-from-region" must be an AWS region',
    ],
  ])('%j is refused', (values, message) => {
    const read = () => readInputs({ ...base, ...values });
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(message);
    expect(read).not.toThrow('hunter22');
  });

  it('reads images-from with a container filter, a role and a region', () => {
    expect(
      readInputs({
        ...base,
        'images-from': 'dev/web:app, worker',
        'images-from-role': 'arn:aws:iam::111111111111:role/promote-reader',
        'images-from-region': 'eu-west-1',
      }).imagesFrom,
    ).toEqual({
      cluster: 'dev',
      service: 'web',
      containers: ['app', 'worker'],
      roleArn: 'arn:aws:iam::111111111111:role/promote-reader',
      region: 'eu-west-1',
    });
  });

  it('mode resolve-images needs images-from and reads nothing of a deploy', () => {
    expect(readAnyInputs({ mode: 'resolve-images', 'images-from': 'dev/web' })).toEqual({
      mode: 'resolve-images',
      imagesFrom: { cluster: 'dev', service: 'web' },
    });
    expect(() => readAnyInputs({ mode: 'resolve-images' })).toThrow('Input "images-from" is required');
    expect(() =>
      readAnyInputs({ mode: 'resolve-images', 'images-from': 'dev/web', cluster: 'prod' }),
    ).toThrow('Input(s) "cluster" do not apply to "mode: resolve-images"');
  });

  it('mode validate needs a task-definition file', () => {
    expect(() => readAnyInputs({ mode: 'validate', 'task-definition-arn': 'web:41' })).toThrow(
      'Input "task-definition" is required when "mode" is validate',
    );
  });

  it('knows every input of action.yml and its defaults', () => {
    const action = parse(readFileSync(path.join(actionDir, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    };
    expect([...ACTION_INPUTS]).toEqual(Object.keys(action.inputs));
    const defaults = Object.fromEntries(
      Object.entries(action.inputs).flatMap(([name, input]) =>
        input.default !== undefined ? [[name, String(input.default)]] : [],
      ),
    );
    expect(INPUT_DEFAULTS).toEqual(defaults);
  });
});

describe('image repositories', () => {
  it.each([
    [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:2.0.0',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/web',
    ],
    ['registry:5000/team/app:1@sha256:' + 'a'.repeat(64), 'registry:5000/team/app'],
    ['registry:5000/team/app', 'registry:5000/team/app'],
    ['nginx', 'nginx'],
    ['public.ecr.aws/example/app@sha256:' + 'b'.repeat(64), 'public.ecr.aws/example/app'],
  ])('%s → %s', (image, repository) => {
    expect(repositoryOf(image)).toBe(repository);
  });
});

describe('a deploy with secrets', () => {
  it('registers the secrets as references, and a refusal registers and updates nothing', async () => {
    const s = scenario({ phases: [{ atMs: 0, deployment: { status: 'SUCCESSFUL' } }] });
    const report = await deploy(s, {
      cluster: 'prod',
      service: 'web',
      secrets: `app.API_TOKEN=${SM}`,
      environment: 'app.LOG_LEVEL=debug',
    });
    expect(report.status).toBe('succeeded');
    const registered = s.ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    expect(registered?.containerDefinitions?.[0]?.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf` },
      { name: 'API_TOKEN', valueFrom: SM },
    ]);
    expect(registered?.containerDefinitions?.[0]?.environment).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);
    expect(s.logger.lines.join('\n')).toContain('secrets app: API_TOKEN (Secrets Manager)');
    expect(s.logger.lines.join('\n')).not.toContain(SM);
  });

  it.each([
    [{ secrets: `worker.API_TOKEN=${SM}` }, 'Input "secrets" names container "worker"'],
    [{ environment: 'app.API_TOKEN=tok-1234' }, 'Input "environment" sets app.API_TOKEN in plain text'],
    [{ secrets: `app.LOG_LEVEL=${SSM}` }, 'it would be both'],
  ])('%j: refused after the reads, before anything is registered or updated', async (values, message) => {
    const s = scenario({ phases: [] });
    const error = await deploy(s, { cluster: 'prod', service: 'web', ...values }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(message);
    expect(commandNames(s.ecs)).not.toContain('RegisterTaskDefinitionCommand');
    expect(s.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('a task-definition file with a plain-text credential is refused before any change', async () => {
    const s = scenario({ phases: [] });
    const document = structuredClone(currentTaskDefinition) as Record<string, unknown>;
    const td = toRegistrable(document, 'x');
    td.containerDefinitions[0]?.environment?.push({ name: 'GITHUB_TOKEN', value: 'ghp_x' });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'td-')), 'td.json');
    writeFileSync(file, JSON.stringify(td));
    const error = await deploy(s, { cluster: 'prod', service: 'web', 'task-definition': file }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toContain(
      `Input "task-definition" (file ${file}): container "app" has app.GITHUB_TOKEN in plain text`,
    );
    expect(commandNames(s.ecs)).not.toContain('RegisterTaskDefinitionCommand');
    expect(s.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});
