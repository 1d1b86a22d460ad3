// The rehearsal's .github/ecs-ship/environments.yml: examples/ecs-ship/environments.yml's shape (dev
// rolling with the migration and featurization tasks, staging canary 10% judged by canary-gate, prod
// blue/green with two approvals, a smoke test on the test listener and a 5-minute watch), pointed at
// this machine: one region and account, the local load balancers' URLs, subnets from the emulator.
import type { StagingStrategy } from './options.js';

export interface EnvironmentEndpoints {
  /** The local load balancer's production listener. */
  productionUrl: string;
  /** Its test listener (prod's blue/green smoke test). */
  testUrl?: string;
  /** app/NAME/ID: canary-gate's LoadBalancer dimension. */
  loadBalancer: string;
  subnets: string[];
}

export interface EnvironmentsFileInput {
  dev: EnvironmentEndpoints;
  staging: EnvironmentEndpoints;
  prod: EnvironmentEndpoints;
  strategy: StagingStrategy;
  /** Lines of container.NAME=value every environment's api deploys with (the regression). */
  apiEnvironment?: string[];
  smokeChecks: string;
}

export const ROLE = (environment: string): string =>
  `arn:aws:iam::123456789012:role/ecs-ship-deploy-${environment}`;

export function environmentsFile(input: EnvironmentsFileInput): string {
  const environment =
    input.apiEnvironment && input.apiEnvironment.length > 0
      ? `        environment: |\n${input.apiEnvironment.map((line) => `          ${line}\n`).join('')}`
      : '';
  const staging =
    input.strategy === 'linear'
      ? `        strategy: linear
        linear-step-percent: 25
        linear-step-bake-minutes: 0 # canary-gate decides at every step
`
      : `        strategy: canary
        canary-percent: 10
        canary-bake-minutes: 0 # canary-gate decides
`;
  const migrate = (subnets: string[]) => `      - name: migrate
        service: api # the api revision, with the new image, runs the migration
        command: '["migrate.js"]' # after the task definition's entryPoint ["node"]
        images: { app: api }
        subnets: ${subnets.join(', ')}
        launch-type: FARGATE
        timeout: 15m
`;
  return `# Written by npm run rehearse from examples/ecs-ship/environments.yml's shape, for this machine.
environments:
  dev:
    cluster: ml-dev
    region: us-east-1
    role-to-assume: ${ROLE('dev')}
    url: ${input.dev.productionUrl}
    tasks:
${migrate(input.dev.subnets)}      - name: featurize
        service: featurize # a GPU task family kept as a service at 0 tasks, for its revision
        images: { app: featurize }
        subnets: ${input.dev.subnets.join(', ')}
        launch-type: FARGATE
        timeout: 45m
    services:
      - service: api
        images: { app: api }
${environment}        smoke-url: ${input.dev.productionUrl}
        smoke-checks: ${input.smokeChecks}

  staging:
    cluster: ml-staging
    region: us-east-1
    role-to-assume: ${ROLE('staging')}
    url: ${input.staging.productionUrl}
    source: dev
    source-service: api
    approvals: [staging-approval]
    tasks:
${migrate(input.staging.subnets)}    services:
      - service: api
        images: { app: api }
${staging}        load-balancer: ${input.staging.loadBalancer}
${environment}        smoke-url: ${input.staging.productionUrl}
        smoke-checks: ${input.smokeChecks}

  prod:
    cluster: ml-prod
    region: us-east-1
    role-to-assume: ${ROLE('prod')}
    url: ${input.prod.productionUrl}
    production: true
    source: staging
    source-service: api
    approvals: [prod-approval-1, prod-approval-2]
    required-approvals: 2
    tasks:
${migrate(input.prod.subnets)}    services:
      - service: api
        images: { app: api }
        strategy: blue-green
        bake-minutes: 5 # the watch after the shift
${environment}        test-url: ${input.prod.testUrl ?? input.prod.productionUrl}
        smoke-url: ${input.prod.productionUrl}
        smoke-checks: ${input.smokeChecks}
`;
}
