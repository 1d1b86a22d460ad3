// Each rule is proven by a fixture repository that breaks it (and only it) and a fixed twin that passes
// every rule. Expected findings are exact: file, line, rule, and a fragment of the message.
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRepository } from '../src/check.js';
import { RULES } from '../src/rules.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', '__fixtures__');

function check(fixture: string) {
  return checkRepository({ root: join(fixtures, fixture), workflowDirectories: ['.github/workflows'] });
}

type Expected = [file: string, line: number, rule: string, fragment: string];

const BROKEN: Record<string, Expected[]> = {
  'reusable-inputs': [
    [
      '.github/workflows/deploy.yml',
      40,
      'reusable-inputs',
      'required input "cluster" of ./actions/ecs-deploy',
    ],
    [
      '.github/workflows/deploy.yml',
      43,
      'reusable-inputs',
      'input "image" is not declared by ./actions/ecs-deploy',
    ],
    ['.github/workflows/deploy.yml', 44, 'reusable-inputs', './actions/smoke-test has no action.yml'],
    ['.github/workflows/release.yml', 11, 'reusable-inputs', 'required input "service"'],
    [
      '.github/workflows/release.yml',
      11,
      'reusable-inputs',
      'required input "strategy" of ./.github/workflows/deploy.yml is not given (required: true, so its default is never used)',
    ],
    ['.github/workflows/release.yml', 11, 'reusable-inputs', 'required secret "REGISTRY_TOKEN"'],
    ['.github/workflows/release.yml', 17, 'reusable-inputs', 'input "servise" is not declared'],
    [
      '.github/workflows/release.yml',
      18,
      'reusable-inputs',
      'input "canary-percent" of ./.github/workflows/deploy.yml is a number; got "ten"',
    ],
    [
      '.github/workflows/release.yml',
      20,
      'reusable-inputs',
      'secret "SLACK_TOKEN" is not declared by ./.github/workflows/deploy.yml (declared: SLACK_WEBHOOK, REGISTRY_TOKEN)',
    ],
    [
      '.github/workflows/release.yml',
      22,
      'reusable-inputs',
      './.github/workflows/deploy-staging.yml does not exist',
    ],
    [
      '.github/workflows/release.yml',
      24,
      'reusable-inputs',
      'is not a reusable workflow (no on.workflow_call)',
    ],
  ],
  'template-injection': [
    ['.github/workflows/pull-request.yml', 33, 'template-injection', 'github.event.pull_request.title'],
    // The second line of a block scalar: the line of the `${{` itself, not of `run: |`.
    ['.github/workflows/pull-request.yml', 36, 'template-injection', 'github.head_ref'],
    // inputs.dry-run (boolean) and inputs.count (number) on the same line are not findings.
    ['.github/workflows/pull-request.yml', 37, 'template-injection', 'pastes inputs.name into'],
    ['.github/workflows/pull-request.yml', 38, 'template-injection', 'steps.build.outputs.digest'],
    ['.github/workflows/pull-request.yml', 39, 'template-injection', 'secrets.API_TOKEN'],
    ['.github/workflows/pull-request.yml', 40, 'template-injection', 'pastes needs.plan.outputs.tag into'],
    ['.github/workflows/pull-request.yml', 44, 'template-injection', 'in actions/github-script script:'],
    ['actions/greet/action.yml', 11, 'template-injection', 'inputs.who'],
  ],
  'unpinned-uses': [
    ['.github/workflows/ci.yml', 12, 'unpinned-uses', 'actions/checkout@v4 is not pinned to a commit SHA'],
    ['.github/workflows/ci.yml', 13, 'unpinned-uses', 'has no version comment'],
    ['.github/workflows/ci.yml', 14, 'unpinned-uses', 'actions/cache is not pinned'],
    ['.github/workflows/ci.yml', 15, 'unpinned-uses', 'docker://alpine:3.20 is not pinned by digest'],
    ['.github/workflows/ci.yml', 17, 'unpinned-uses', 'has no version comment'],
    ['.github/workflows/ci.yml', 19, 'unpinned-uses', 'lint.yml@main is not pinned'],
  ],
  permissions: [
    ['.github/workflows/broad.yml', 5, 'permissions', 'the workflow grants read-all'],
    [
      '.github/workflows/none.yml',
      6,
      'permissions',
      'job "build" has no permissions: and neither has the workflow',
    ],
    ['.github/workflows/none.yml', 12, 'permissions', 'job "publish" grants write-all'],
    ['.github/workflows/oidc.yml', 7, 'permissions', 'reaches job(s) "test" that assume no AWS role'],
    [
      '.github/workflows/oidc.yml',
      18,
      'permissions',
      'job "lint" has id-token: write but assumes no AWS role',
    ],
  ],
  'secrets-inherit': [
    ['.github/workflows/release.yml', 11, 'secrets-inherit', 'job "build" passes every secret'],
  ],
  'dangerous-triggers': [
    [
      '.github/workflows/comment.yml',
      14,
      'dangerous-triggers',
      'persisted credentials in a workflow_run workflow',
    ],
    [
      '.github/workflows/comment.yml',
      16,
      'dangerous-triggers',
      'untrusted code (ref: ${{ github.event.workflow_run.head_sha }})',
    ],
    [
      '.github/workflows/label.yml',
      15,
      'dangerous-triggers',
      'untrusted code (ref: ${{ github.event.pull_request.head.sha }})',
    ],
    [
      '.github/workflows/label.yml',
      21,
      'dangerous-triggers',
      'job "base" checks out with persisted credentials',
    ],
  ],
  'deploy-cancel-in-progress': [
    [
      '.github/workflows/deploy-dev.yml',
      11,
      'deploy-cancel-in-progress',
      `the workflow's concurrency covers deploying job(s) "deploy"`,
    ],
    // Calls promote.yml: deploys by name. The non-deploying "test" job may cancel itself.
    ['.github/workflows/release.yml', 22, 'deploy-cancel-in-progress', 'job "staging" deploys'],
    [
      '.github/workflows/release.yml',
      30,
      'deploy-cancel-in-progress',
      `cancel-in-progress: \${{ github.event_name == 'push' }} may be true`,
    ],
  ],
  artipacked: [['.github/workflows/build.yml', 12, 'artipacked', 'uploads an artifact after a checkout']],
};

describe.each(Object.keys(BROKEN))('%s', (rule) => {
  it('finds exactly what its broken fixture breaks', () => {
    const { findings } = check(`${rule}/broken`);
    expect(findings.map((finding) => [finding.file, finding.line, finding.rule])).toEqual(
      (BROKEN[rule] ?? []).map(([file, line, name]) => [file, line, name]),
    );
    findings.forEach((finding, index) => expect(finding.message).toContain(BROKEN[rule]?.[index]?.[3]));
  });

  it('passes every rule on the fixed twin', () => {
    expect(check(`${rule}/fixed`).findings).toEqual([]);
  });
});

describe('the rule set', () => {
  it('has a broken and a fixed fixture, a table entry and a file of its name for every rule', () => {
    for (const rule of RULES) {
      expect([
        rule.name,
        existsSync(join(fixtures, rule.name, 'broken')),
        existsSync(join(fixtures, rule.name, 'fixed')),
      ]).toEqual([rule.name, true, true]);
      expect(existsSync(join(here, '..', 'src', 'rules', `${rule.name}.ts`))).toBe(true);
    }
    expect(Object.keys(BROKEN).sort()).toEqual(RULES.map((rule) => rule.name).sort());
  });

  it('checks the local workflows and actions the workflows use, once each', () => {
    expect(check('reusable-inputs/fixed').checked).toEqual([
      '.github/workflows/deploy.yml',
      '.github/workflows/release.yml',
      'actions/ecs-deploy/action.yml',
      'actions/smoke-test/action.yml',
    ]);
    expect(readdirSync(join(fixtures, 'reusable-inputs/fixed/.github/workflows')).sort()).toEqual([
      'deploy.yml',
      'release.yml',
    ]);
  });
});

describe('--self', () => {
  const options = { root: join(fixtures, 'self-repository'), workflowDirectories: ['examples/workflows'] };

  it("checks OWNER/REPO/path@sha against this repository's own files", () => {
    const { findings, checked } = checkRepository({ ...options, selfRepository: 'acme/ship' });
    expect(checked).toEqual([
      'examples/workflows/service.yml',
      '.github/workflows/deploy.yml',
      'actions/ecs-deploy/action.yml',
    ]);
    expect(findings.map((finding) => `${finding.file}:${finding.line}: ${finding.message}`)).toEqual([
      '.github/workflows/deploy.yml:16: required input "service" of acme/ship/actions/ecs-deploy@0123456789abcdef0123456789abcdef01234567 is not given',
      '.github/workflows/deploy.yml:18: input "services" is not declared by acme/ship/actions/ecs-deploy@0123456789abcdef0123456789abcdef01234567 (declared: service)',
      'examples/workflows/service.yml:12: required input "service" of acme/ship/.github/workflows/deploy.yml@0123456789abcdef0123456789abcdef01234567 is not given',
      'examples/workflows/service.yml:14: input "service-name" is not declared by acme/ship/.github/workflows/deploy.yml@0123456789abcdef0123456789abcdef01234567 (declared: service)',
    ]);
  });

  it('accepts its own actions at a release tag, and still asks a SHA of every other', () => {
    const root = mkdtempSync(join(tmpdir(), 'workflow-checks-self-'));
    mkdirSync(join(root, 'actions/ecs-deploy'), { recursive: true });
    mkdirSync(join(root, '.github/workflows'), { recursive: true });
    writeFileSync(
      join(root, 'actions/ecs-deploy/action.yml'),
      'name: x\ninputs:\n  service: { required: true }\nruns: { using: node24, main: dist/index.js }\n',
    );
    writeFileSync(
      join(root, '.github/workflows/deploy.yml'),
      'on: push\npermissions: {}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/ship/actions/ecs-deploy@v1\n        with: { service: api }\n      - uses: other/ship/actions/ecs-deploy@v1\n',
    );
    try {
      const { findings } = checkRepository({
        root,
        workflowDirectories: ['.github/workflows'],
        selfRepository: 'acme/ship',
      });
      expect(findings.map((finding) => `${finding.line} ${finding.rule}: ${finding.message}`)).toEqual([
        '9 unpinned-uses: other/ship/actions/ecs-deploy@v1 is not pinned to a commit SHA: use other/ship/actions/ecs-deploy@<40-hex commit> # <version>',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('treats the same references as another repository without it', () => {
    expect(checkRepository(options)).toEqual({ checked: ['examples/workflows/service.yml'], findings: [] });
  });
});
