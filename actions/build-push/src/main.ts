import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { awsClientConfig } from '@ecs-ship/shared/aws-clients';
import { runAction, type ActionContext } from '@ecs-ship/shared/run';
import { defaultBaseRef } from './changed-paths.js';
import { createDockerConfig, dockerLogin, removeDockerConfig } from './docker-config.js';
import { ensureRepository, ecrLogin, parseRepository } from './ecr.js';
import { actionsExecRunner, type Exec } from './exec.js';
import { gitRunner, type Git } from './git.js';
import { getInputs, SECRET_INPUTS } from './inputs.js';
import { POST_STATE } from './post-step.js';
import { RegistryClient } from './registry-client.js';
import { buildSummary } from './summary.js';
import { detectBuilder, type BuilderInfo } from './builder.js';
import { planVariants, type VariantPlan } from './variant-plan.js';
import { publishVariant, type VariantResult } from './publish.js';
import { mutableTagPatterns } from './repository-policy.js';
import { cachePlan, type CacheRefs } from './cache-plan.js';

export async function run(): Promise<void> {
  await runAction({ title: 'Build and push', secretInputs: SECRET_INPUTS }, async (context) => {
    // First of all: whatever happens next, the post step of this same bundle knows it is the post.
    context.saveState(POST_STATE.isPost, 'true');
    const { logger } = context;
    const inputs = getInputs(context.inputs);
    const workspace = context.inputs.workspace;
    const git = gitRunner(workspace);
    const sha = (await git(['rev-parse', 'HEAD'])).trim();
    const branch = await currentBranch(git);
    const baseRef = inputs.baseRef ?? defaultBaseRef(process.env);
    const plans = await planVariants(inputs, {
      git,
      workspace,
      sha,
      branch,
      ...(baseRef ? { baseRef } : {}),
    });

    const results: VariantResult[] = [];
    const facts: { builder?: BuilderInfo; registry?: string; repository?: string } = {};
    context.setSummary(() => buildSummary({ plans, results, inputs, sha, ...facts }));

    const repository = parseRepository(inputs.repository);
    const ecr = new ECRClient(
      awsClientConfig({
        actionName: 'build-push',
        // A full ECR URI names its region; the input wins, then the URI, then the environment.
        ...((inputs.region ?? repository.region) ? { region: inputs.region ?? repository.region } : {}),
      }),
    );
    const login = await ecrLogin(ecr, repository.registryId);
    context.secrets.add(login.password);
    const host = inputs.registry ?? repository.host ?? login.registry;
    facts.registry = host;
    facts.repository = repository.name;
    await ensureRepository(ecr, repository.name, {
      create: inputs.createRepository,
      mutableTags: mutableTagPatterns(inputs.tagTemplates, inputs.cache === 'registry'),
      ...(repository.registryId ? { registryId: repository.registryId } : {}),
    });

    const privateDir = await mkdtemp(path.join(process.env.RUNNER_TEMP ?? tmpdir(), 'build-push-'));
    context.saveState(POST_STATE.privateDir, privateDir);
    context.saveState(POST_STATE.cleanup, String(inputs.cleanup));
    const exec: Exec = actionsExecRunner;
    try {
      const configDir = await createDockerConfig(path.join(privateDir, 'docker-config'));
      const env = { DOCKER_CONFIG: configDir };
      const registry = new RegistryClient({ host, username: login.username, password: login.password });
      // Docker is needed only when something is built: a run that only retags never starts it.
      let docker: Promise<{ builder: BuilderInfo; cache: (plan: VariantPlan) => CacheRefs }> | undefined;
      const prepareBuild = (plan: VariantPlan) => {
        docker ??= (async () => {
          const [builder] = await Promise.all([
            detectBuilder(exec, env),
            dockerLogin(exec, { host, username: login.username, password: login.password, configDir }),
          ]);
          facts.builder = builder;
          logger.info(`Builder: ${builder.description}.`);
          return {
            builder,
            cache: cachePlan(inputs, builder, { host, repository: repository.name }, logger),
          };
        })();
        return docker.then(({ builder, cache }) => ({ builder, cache: cache(plan) }));
      };
      const secretFiles = await writeSecretFiles(privateDir, inputs.secrets);
      // What the post step removes if this step dies before its own cleanup.
      context.saveState(
        POST_STATE.localImages,
        JSON.stringify(
          plans.flatMap((plan) =>
            [...plan.tags, plan.contentTag].map((tag) => `${host}/${repository.name}:${tag}`),
          ),
        ),
      );

      for (const plan of plans) {
        const result = await logger.group(`Variant ${plan.variant.name}`, () =>
          publishVariant(plan, {
            exec,
            env,
            registry,
            prepareBuild,
            host,
            repository: repository.name,
            inputs,
            workspace,
            secretFiles,
            metadataFile: path.join(privateDir, `metadata-${plan.variant.name}.json`),
            logger,
            clock: context.clock,
          }),
        );
        results.push(result);
      }
    } finally {
      // The registry credential never outlives the main step; the post step checks again.
      await removeDockerConfig(path.join(privateDir, 'docker-config')).catch(() => {});
      await rm(path.join(privateDir, 'secrets'), { recursive: true, force: true });
    }
    writeOutputs(context, results);
  });
}

function writeOutputs(context: ActionContext, results: VariantResult[]): void {
  const images = Object.fromEntries(
    results.map((result) => [
      result.name,
      {
        uri: result.uri,
        digest: result.digest ?? '',
        tags: result.tags,
        built: result.built,
        reason: result.reason,
        'content-key': result.contentKey,
      },
    ]),
  );
  context.setOutput('images', JSON.stringify(images));
  context.setOutput('image-uri', results[0]?.digest ? results[0].uri : '');
  context.setOutput(
    'built-variants',
    results
      .filter((r) => r.built)
      .map((r) => r.name)
      .join(','),
  );
  context.setOutput(
    'skipped-variants',
    results
      .filter((r) => !r.built)
      .map((r) => r.name)
      .join(','),
  );
}

/** One 0600 file per BuildKit secret in a 0700 directory: never on a command line. */
async function writeSecretFiles(
  privateDir: string,
  secrets: Record<string, string>,
): Promise<Record<string, string>> {
  const directory = path.join(privateDir, 'secrets');
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const files: Record<string, string> = {};
  for (const [id, value] of Object.entries(secrets)) {
    const file = path.join(directory, id);
    await writeFile(file, value, { mode: 0o600 });
    files[id] = file;
  }
  return files;
}

async function currentBranch(git: Git): Promise<string> {
  const fromRunner = process.env.GITHUB_HEAD_REF || process.env.GITHUB_REF_NAME;
  if (fromRunner) return fromRunner;
  return (await git(['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
}
