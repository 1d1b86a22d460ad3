import { describe, expect, it } from '@jest/globals';
import { planDelivery } from '../src/plan/delivery-plan.js';
import { planPromotion } from '../src/plan/environments-config.js';
import { parseRecord, planRevert } from '../src/plan/revert-plan.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const IMAGES = `app=123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml-api@${DIGEST}\nfeaturize=123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml-api@sha256:${'b'.repeat(64)}`;

const SERVICES = `
- service: api
  strategy: canary
  canary-percent: 10
  load-balancer: app/web/0123456789abcdef
  images: { app: app }
  smoke-url: https://staging.example.com
  smoke-checks: examples/service/smoke-checks.yml
- service: worker
  images: { worker: app }
`;

describe('planDelivery', () => {
  it('keeps the stated order, maps images to containers and pauses only where something judges', () => {
    const plan = planDelivery({
      images: IMAGES,
      services: SERVICES,
      tasks: '- { name: migrate, service: api, command: npm run migrate, images: [app] }',
    });
    expect(plan.services.map((s) => [s.order, s.service, s.strategy, s.pause, s.gate])).toEqual([
      ['1', 'api', 'canary', 'pause', 'true'],
      ['2', 'worker', 'rolling', 'none', 'false'],
    ]);
    expect(plan.services[1]!.images).toBe(
      `worker=123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml-api@${DIGEST}`,
    );
    expect(plan.services[0]!['canary-percent']).toBe('10');
    expect(plan.services[1]!['canary-percent']).toBe('');
    expect(plan.tasks).toEqual([
      expect.objectContaining({ name: 'migrate', order: '1', command: 'npm run migrate' }),
    ]);
  });

  it('pauses a blue/green deploy for its test-listener smoke test', () => {
    const plan = planDelivery({
      images: IMAGES,
      services:
        '- { service: api, strategy: blue-green, test-url: "http://127.0.0.1:8081", smoke-checks: checks.yml, images: [app] }',
      tasks: '',
    });
    expect(plan.services[0]).toMatchObject({
      pause: 'pause',
      gate: 'false',
      'test-url': 'http://127.0.0.1:8081',
    });
  });

  it.each([
    ['an unknown setting', '- { service: api, canary-precent: 10 }', 'unknown setting "canary-precent"'],
    ['a strategy ECS lacks', '- { service: api, strategy: red-black }', '"strategy" must be one of'],
    [
      'a canary percent off the 0.1 grid',
      '- { service: api, strategy: canary, canary-percent: 10.05, load-balancer: app/a/b }',
      'multiple of 0.1',
    ],
    [
      'a linear step below 3',
      '- { service: api, strategy: linear, linear-step-percent: 2, load-balancer: app/a/b }',
      'linear-step-percent',
    ],
    [
      'a canary setting on a rolling service',
      '- { service: api, canary-percent: 10 }',
      'set only with strategy canary',
    ],
    ['a gate on rolling', '- { service: api, gate: true }', 'false for rolling'],
    [
      'a gate without a load balancer',
      '- { service: api, strategy: canary }',
      '"load-balancer" (app/NAME/ID) is required',
    ],
    [
      'a test URL outside blue/green',
      '- { service: api, test-url: "https://t", smoke-checks: c.yml }',
      'only for blue-green',
    ],
    [
      'smoke checks with nothing to run against',
      '- { service: api, smoke-checks: c.yml }',
      'needs "smoke-url" or "test-url"',
    ],
    ['an image name not given', '- { service: api, images: { app: web } }', 'image "web" is not among'],
    ['a service twice', '- { service: api }\n- { service: api }', 'names service "api" twice'],
    [
      'a later entry that is wrong',
      '- { service: api }\n- { service: worker, bake-minutes: 2000 }',
      'services[1] (worker): "bake-minutes"',
    ],
  ])('refuses %s before anything is deployed', (_name, services, message) => {
    expect(() => planDelivery({ images: IMAGES, services, tasks: '' })).toThrow(message);
  });

  it('passes environment lines to ecs-deploy and refuses a line that is not container.NAME=value', () => {
    const services = (environment: string) => `
- service: api
  images: { app: app }
  environment: ${JSON.stringify(environment)}
`;
    const plan = planDelivery({
      images: IMAGES,
      services: services('app.FAIL_RATE=0.1\napp.LATENCY_MS=170'),
      tasks: '',
    });
    expect(plan.services[0]?.environment).toBe('app.FAIL_RATE=0.1\napp.LATENCY_MS=170');
    expect(() => planDelivery({ images: IMAGES, services: services('FAIL_RATE=0.1'), tasks: '' })).toThrow(
      /"environment".*lines of container\.NAME=value.*FAIL_RATE=0\.1/,
    );
  });

  it('refuses images given by tag', () => {
    expect(() =>
      planDelivery({ images: 'app=repo/ml-api:latest', services: '- { service: api }', tasks: '' }),
    ).toThrow('pinned by digest');
  });
});

const CONFIG = `
environments:
  dev:
    cluster: dev
    region: eu-west-1
    role-to-assume: arn:aws:iam::111111111111:role/ecs-ship-dev
    services: [{ service: api }, { service: worker, images: { worker: api } }]
  staging:
    cluster: staging
    region: eu-west-1
    role-to-assume: arn:aws:iam::222222222222:role/ecs-ship-staging
    source: dev
    approvals: [staging-approval]
    services: [{ service: api, strategy: canary, canary-percent: 10, load-balancer: app/web/1, images: [api] }]
  prod:
    cluster: prod
    region: eu-west-1
    role-to-assume: arn:aws:iam::333333333333:role/ecs-ship-prod
    source: staging
    production: true
    approvals: [prod-approval-1, prod-approval-2]
    required-approvals: 2
    services: [{ service: api, strategy: blue-green, bake-minutes: 5, images: [api] }]
`;

describe('planPromotion', () => {
  it('reads the images of the source environment from its first service', () => {
    const plan = planPromotion(CONFIG, 'environments.yml', 'prod', '');
    expect(plan).toMatchObject({
      cluster: 'prod',
      production: true,
      approvals: ['prod-approval-1', 'prod-approval-2'],
      requiredApprovals: 2,
      source: {
        kind: 'environment',
        environment: 'staging',
        imagesFrom: 'staging/api',
        imageNames: 'api=api',
      },
    });
  });

  it("names the source service's containers by the image names its entry maps them to", () => {
    const mapped = CONFIG.replace(
      /(staging:[\s\S]*?services: \[\{ service: api)([^}]*)\}/,
      '$1, images: { app: api, agent: sidecar } }',
    );
    const plan = planPromotion(mapped, 'environments.yml', 'prod', '');
    expect(plan.source).toMatchObject({ kind: 'environment', imageNames: 'app=api\nagent=sidecar' });
  });

  it('takes explicit digests instead of an environment', () => {
    const plan = planPromotion(CONFIG, 'environments.yml', 'staging', `api=repo/ml-api@${DIGEST}`);
    expect(plan.source).toEqual({ kind: 'images', images: `api=repo/ml-api@${DIGEST}` });
  });

  it.each([
    ['an unknown target', 'qa', '', '"qa" is not in environments.yml'],
    ['an unknown source', 'staging', 'test', 'environment "test" is not in'],
    ['a tag as the source', 'staging', 'api=repo/ml-api:v1', 'pinned by digest'],
  ])('refuses %s', (_name, target, source, message) => {
    expect(() => planPromotion(CONFIG, 'environments.yml', target, source)).toThrow(message);
  });

  it('refuses two approvals from one environment: GitHub releases a job on any one reviewer', () => {
    const config = CONFIG.replace(
      'approvals: [prod-approval-1, prod-approval-2]',
      'approvals: [prod-approval]',
    );
    expect(() => planPromotion(config, 'environments.yml', 'prod', '')).toThrow('two approval environments');
  });
});

describe('planRevert', () => {
  const arn = (family: string, revision: number): string =>
    `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:${revision}`;

  it('returns the deployed services, last first, and leaves the rest alone', () => {
    const records = [
      {
        order: 1,
        service: 'api',
        strategy: 'canary',
        status: 'succeeded',
        taskDefinitionArn: arn('api', 8),
        previousTaskDefinitionArn: arn('api', 7),
        deployed: true,
      },
      {
        order: 2,
        service: 'worker',
        strategy: 'rolling',
        status: 'succeeded',
        taskDefinitionArn: arn('worker', 4),
        previousTaskDefinitionArn: arn('worker', 3),
        deployed: true,
      },
      {
        order: 3,
        service: 'beat',
        strategy: 'rolling',
        status: 'rolled-back',
        taskDefinitionArn: arn('beat', 2),
        previousTaskDefinitionArn: arn('beat', 1),
        deployed: false,
      },
    ].map((record) => parseRecord(JSON.stringify(record), 'record.json'));
    expect(
      planRevert(records).map((entry) => [entry.service, entry['previous-task-definition-arn']]),
    ).toEqual([
      ['worker', arn('worker', 3)],
      ['api', arn('api', 7)],
    ]);
  });

  it('fails closed when a deployed service has no previous revision on record', () => {
    const record = parseRecord(
      JSON.stringify({
        order: 1,
        service: 'api',
        status: 'succeeded',
        deployed: true,
        previousTaskDefinitionArn: '',
      }),
      'r.json',
    );
    expect(() => planRevert([record])).toThrow('no previous revision');
  });
});

describe('validating the whole environments file', () => {
  it('plans every environment of the example, dev from placeholder digests', async () => {
    const { readFileSync } = await import('node:fs');
    const { runPlan } = await import('../src/plan/plan-step.js');
    const file = new URL('../../../examples/ecs-ship/environments.yml', import.meta.url);
    const result = runPlan({
      mode: 'plan',
      kind: 'promotion',
      configPath: 'environments.yml',
      configText: readFileSync(file, 'utf8'),
      source: '',
    });
    expect(result.outputs.environments).toBe('dev,staging,prod');
  });
});

describe('planRevert across run attempts', () => {
  const arn = (family: string, revision: number): string =>
    `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:${revision}`;

  it('returns every service to what the first attempt found, whatever later attempts did', () => {
    const records = [
      {
        order: 1,
        attempt: 1,
        service: 'api',
        status: 'succeeded',
        deployed: true,
        taskDefinitionArn: arn('api', 8),
        previousTaskDefinitionArn: arn('api', 7),
      },
      {
        order: 1,
        attempt: 2,
        service: 'api',
        status: 'succeeded',
        deployed: true,
        taskDefinitionArn: arn('api', 9),
        previousTaskDefinitionArn: arn('api', 7),
      },
      {
        order: 2,
        attempt: 1,
        service: 'worker',
        status: 'succeeded',
        deployed: true,
        taskDefinitionArn: arn('worker', 4),
        previousTaskDefinitionArn: arn('worker', 3),
      },
      {
        order: 2,
        attempt: 2,
        service: 'worker',
        status: 'rolled-back',
        deployed: false,
        taskDefinitionArn: arn('worker', 5),
        previousTaskDefinitionArn: arn('worker', 4),
      },
    ].map((record) => parseRecord(JSON.stringify(record), 'r.json'));
    // api runs 9 (attempt 2); worker got back only to 4 (attempt 1's new revision): both go back.
    expect(
      planRevert(records).map((entry) => [
        entry.service,
        entry['task-definition-arn'],
        entry['previous-task-definition-arn'],
      ]),
    ).toEqual([
      ['worker', arn('worker', 4), arn('worker', 3)],
      ['api', arn('api', 9), arn('api', 7)],
    ]);
  });
});
