import { describe, expect, it } from '@jest/globals';
import { planPromotion } from '../../../actions/github-delivery/src/plan/environments-config.js';
import { environmentsFile } from '../src/environments-file.js';

const endpoints = (port: number) => ({
  productionUrl: `http://127.0.0.1:${port}`,
  testUrl: `http://127.0.0.1:${port + 1}`,
  loadBalancer: `app/lb-${port}/0123456789abcdef`,
  subnets: ['subnet-1', 'subnet-2'],
});
const file = (overrides: Partial<Parameters<typeof environmentsFile>[0]> = {}) =>
  environmentsFile({
    dev: endpoints(4000),
    staging: endpoints(5000),
    prod: endpoints(6000),
    strategy: 'canary',
    smokeChecks: 'examples/service/smoke-checks.yml',
    ...overrides,
  });

describe('the rehearsal environments file', () => {
  it('plans every environment the way promote.yml plans it', () => {
    const devImages =
      'api=r/ml-api@sha256:' + '1'.repeat(64) + '\nfeaturize=r/ml-api@sha256:' + '2'.repeat(64);
    const dev = planPromotion(file(), 'environments.yml', 'dev', devImages);
    expect(dev.cluster).toBe('ml-dev');
    const devServices = JSON.parse(dev.services) as Array<Record<string, string>>;
    expect(devServices[0]).toMatchObject({ service: 'api', 'smoke-url': 'http://127.0.0.1:4000' });
    expect((JSON.parse(dev.tasks) as Array<{ name: string }>).map((task) => task.name)).toEqual([
      'migrate',
      'featurize',
    ]);
    const staging = planPromotion(file(), 'environments.yml', 'staging', '');
    expect(staging.approvals).toEqual(['staging-approval']);
    expect(staging.source).toMatchObject({ kind: 'environment', environment: 'dev' });
    expect(JSON.parse(staging.services)[0]).toMatchObject({
      strategy: 'canary',
      'canary-percent': 10,
      'load-balancer': 'app/lb-5000/0123456789abcdef',
    });
    const prod = planPromotion(file(), 'environments.yml', 'prod', '');
    expect(prod.production).toBe(true);
    expect(prod.requiredApprovals).toBe(2);
    expect(JSON.parse(prod.services)[0]).toMatchObject({
      strategy: 'blue-green',
      'bake-minutes': 5,
      'test-url': 'http://127.0.0.1:6001',
    });
  });

  it('gives the api the regression through its environment lines, and linear on request', () => {
    const text = file({ strategy: 'linear', apiEnvironment: ['app.FAIL_RATE=0.1', 'app.LATENCY_MS=170'] });
    const staging = planPromotion(text, 'environments.yml', 'staging', '');
    const [api] = JSON.parse(staging.services) as Array<Record<string, unknown>>;
    expect(api).toMatchObject({ strategy: 'linear', 'linear-step-percent': 25 });
    expect(api?.environment).toBe('app.FAIL_RATE=0.1\napp.LATENCY_MS=170\n');
    expect(text).not.toContain('canary-percent');
  });
});
