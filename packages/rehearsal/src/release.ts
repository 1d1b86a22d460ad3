// The release that runs before the rehearsal's change, and the images the change produces when no
// Docker engine is there to build them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { contentKey } from '../../../actions/build-push/src/content-key.js';
import { gitRunner } from '../../../actions/build-push/src/git.js';
import { parseVariants } from '../../../actions/build-push/src/variants.js';
import { runWorkflow } from '@ecs-ship/workflow-runner/run-workflow';
import type { ExampleRepository } from '@ecs-ship/testing/example-service-repository';

export const REPOSITORY = 'ml-api';
const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

/** The variants push-to-main.yml gives build-push (read from the workflow, never restated). */
export function pushVariants(repositoryDir: string): string {
  const workflow = parseYaml(
    readFileSync(path.join(repositoryDir, '.github/workflows/push-to-main.yml'), 'utf8'),
  ) as {
    jobs: { build: { with: { variants: string } } };
  };
  return workflow.jobs.build.with.variants;
}

/**
 * The running release, built by build.yml itself from the repository's first commit (cpu only: the
 * api's revision; the featurization family has no tasks), so the baseline tasks run a real image.
 */
export async function buildRelease(options: {
  repository: ExampleRepository;
  registry: string;
  env: Record<string, string>;
}): Promise<string> {
  const variants = pushVariants(options.repository.dir);
  const cpuOnly = (parseYaml(variants) as Array<{ name: string }>).filter(
    (variant) => variant.name === 'cpu',
  );
  const run = await runWorkflow({
    root: options.repository.dir,
    workflow: '.github/workflows/build.yml',
    event: { name: 'workflow_call', payload: {} },
    inputs: {
      'test-command': 'true',
      repository: REPOSITORY,
      context: 'examples/service',
      variants: JSON.stringify(cpuOnly),
      region: 'us-east-1',
      'role-to-assume': 'arn:aws:iam::123456789012:role/ecs-ship-build',
      registry: options.registry,
      'create-repository': true,
    },
    self: 'ecs-ship/ecs-ship',
    github: {
      repository: 'acme/ml-platform',
      sha: options.repository.git('rev-parse', 'HEAD'),
      ref: 'refs/heads/main',
    },
    env: options.env,
  });
  const images = JSON.parse(run.outputs.images ?? '{}') as Record<string, { uri: string }>;
  const uri = images.cpu?.uri;
  if (run.result !== 'success' || !uri) {
    const failed = Object.values(run.jobs)
      .flatMap((job) => job.steps.filter((step) => step.conclusion === 'failure'))
      .map((step) => `${step.name}: ${(step.stdout + step.stderr).slice(-1500)}`);
    throw new Error(`building the running release failed: ${failed.join('\n') || run.result}`);
  }
  return uri;
}

export interface PlannedImage {
  variant: string;
  uri: string;
  contentKey: string;
  files: number;
}

/**
 * Without Docker: what build-push would build, from its own content keys (the same function it
 * runs), and the ECR digests the rehearsal stands in for them (sha256 of the content key: a
 * stand-in, named as such, since nothing is built).
 */
export async function planImages(repository: ExampleRepository): Promise<PlannedImage[]> {
  const git = gitRunner(repository.dir);
  const dockerfilePath = 'examples/service/Dockerfile';
  const dockerfileText = readFileSync(path.join(repository.dir, dockerfilePath), 'utf8');
  const variants = parseVariants(parseYaml(pushVariants(repository.dir)), 'inline', 'examples/service');
  const planned: PlannedImage[] = [];
  for (const [index, variant] of variants.entries()) {
    const key = await contentKey(git, {
      variant,
      index,
      dockerfilePath,
      dockerfileText,
      contextDir: 'examples/service',
    });
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update(key.key).digest('hex');
    planned.push({
      variant: variant.name,
      uri: `${ECR}/${REPOSITORY}@sha256:${digest}`,
      contentKey: key.key,
      files: key.files,
    });
  }
  return planned;
}
