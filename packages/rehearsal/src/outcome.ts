// What the rehearsal concludes, from the runs and from ECS's own state afterwards: the one sentence
// a person reads first, and whether it is what this rehearsal should have produced.
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import type { LocalAws } from '@ecs-ship/local-aws/local-aws';
import type { StageResult } from './pipeline.js';
import type { StepTiming } from './step-recorder.js';
import { ENVIRONMENTS, type EnvironmentName } from './world.js';

export interface EnvironmentOutcome {
  result: StageResult['result'];
  /** The image the api's primary task definition runs after the rehearsal. */
  image: string;
  taskDefinition: string;
}

export interface GateVerdict {
  environment: EnvironmentName;
  decision: string;
  reason: string;
  at: number;
}

export interface Outcome {
  status: 'success' | 'rolled-back' | 'failed';
  /** Whether the status is the one this rehearsal asked for (healthy: success; --regression: rolled-back). */
  expected: boolean;
  sentence: string;
  environments: Record<EnvironmentName, EnvironmentOutcome>;
  gates: GateVerdict[];
}

export async function runningImages(
  aws: LocalAws,
): Promise<Record<EnvironmentName, Omit<EnvironmentOutcome, 'result'>>> {
  const ecs = new ECSClient({
    region: aws.region,
    endpoint: aws.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    const images = {} as Record<EnvironmentName, Omit<EnvironmentOutcome, 'result'>>;
    for (const name of ENVIRONMENTS) {
      const answer = await ecs.send(
        new DescribeServicesCommand({ cluster: `ml-${name}`, services: ['api'] }),
      );
      const taskDefinition = answer.services?.[0]?.taskDefinition ?? '';
      const definition = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
      images[name] = {
        taskDefinition,
        image: definition.taskDefinition?.containerDefinitions?.[0]?.image ?? '',
      };
    }
    return images;
  } finally {
    ecs.destroy();
  }
}

export function gateVerdicts(steps: StepTiming[]): GateVerdict[] {
  return steps
    .filter((step) => step.uses?.includes('/actions/canary-gate') && step.outputs.decision)
    .map((step) => ({
      environment: (ENVIRONMENTS.find((name) => step.workflow.includes(name)) ??
        'staging') as EnvironmentName,
      decision: step.outputs.decision ?? '',
      reason: step.outputs.reason ?? '',
      at: step.simEnd,
    }));
}

export function concludeOutcome(input: {
  regression: boolean;
  stages: StageResult[];
  running: Record<EnvironmentName, Omit<EnvironmentOutcome, 'result'>>;
  releaseImage: string;
  newImage: string | undefined;
  gates: GateVerdict[];
}): Outcome {
  const { stages, running, gates } = input;
  const environments = {} as Record<EnvironmentName, EnvironmentOutcome>;
  for (const name of ENVIRONMENTS)
    environments[name] = {
      result: stages.find((stage) => stage.environment === name)?.result ?? 'not-run',
      ...running[name],
    };
  const short = (image: string) =>
    image.replace(/^.*\//, '').replace(/(@sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1…');
  const stagingGate = gates.find((gate) => gate.environment === 'staging');
  const allPromoted =
    ENVIRONMENTS.every((name) => environments[name].result === 'success') &&
    input.newImage !== undefined &&
    ENVIRONMENTS.every((name) => environments[name].image === input.newImage);
  if (allPromoted) {
    return {
      status: 'success',
      expected: !input.regression,
      sentence: `${short(input.newImage ?? '')} was built once and promoted dev → staging → prod${stagingGate ? `; staging's gate: ${stagingGate.decision}. ${stagingGate.reason}` : '.'}`,
      environments,
      gates,
    };
  }
  const rolledBack =
    environments.dev.result === 'success' &&
    environments.staging.result === 'failure' &&
    stagingGate?.decision === 'rollback' &&
    environments.staging.image === input.releaseImage &&
    environments.prod.result === 'not-run' &&
    environments.prod.image === input.releaseImage;
  if (rolledBack) {
    return {
      status: 'rolled-back',
      expected: input.regression,
      sentence: `Staging rolled the new revision back and the promotion stopped before prod: ${stagingGate?.reason ?? ''}`,
      environments,
      gates,
    };
  }
  const failed = ENVIRONMENTS.find(
    (name) => environments[name].result === 'failure' || environments[name].result === 'cancelled',
  );
  return {
    status: 'failed',
    expected: false,
    sentence: failed
      ? environments[failed].result === 'cancelled'
        ? `The rehearsal was cancelled during ${failed}; what had started was cancelled as GitHub cancels a run, then stopped.`
        : `The pipeline failed in ${failed}; see its steps below.`
      : `The pipeline did not end where it should: ${ENVIRONMENTS.map((name) => `${name} ${environments[name].result} running ${short(environments[name].image)}`).join(', ')}.`,
    environments,
    gates,
  };
}
