import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { throwIfCancelled, type Deps } from '../deps.js';
import type { Preflight } from '../preflight.js';
import {
  fromDescribed,
  sameTaskDefinition,
  shortTaskDefinition,
  type RegistrableTaskDefinition,
} from './task-definition.js';

export interface Registration {
  taskDefinitionArn: string;
  /** False when an equal revision already existed and is reused. */
  registered: boolean;
}

/**
 * The revision to deploy: an existing one when it equals the rendered definition (the one the
 * service runs, or the family's latest), otherwise a newly registered one. Re-running a job
 * therefore registers nothing new.
 */
export async function registerOrReuse(
  deps: Pick<Deps, 'ecs' | 'logger' | 'signal'>,
  rendered: RegistrableTaskDefinition,
  pre: Pick<Preflight, 'base' | 'baseArn' | 'previousTaskDefinitionArn'>,
): Promise<Registration> {
  const { ecs, logger } = deps;
  const known = { base: pre.base, baseArn: pre.baseArn, currentArn: pre.previousTaskDefinitionArn };
  if (known.baseArn && sameTaskDefinition(rendered, known.base)) {
    logger.info(`Task definition unchanged: reusing ${shortTaskDefinition(known.baseArn)}.`);
    return { taskDefinitionArn: known.baseArn, registered: false };
  }
  const candidates = [known.currentArn, rendered.family].filter(
    (reference): reference is string =>
      reference !== undefined &&
      reference !== known.baseArn &&
      (reference === rendered.family || familyOf(reference) === rendered.family),
  );
  for (const reference of candidates) {
    const described = await describeIfExists(ecs, reference);
    if (
      described?.taskDefinitionArn &&
      described.status === 'ACTIVE' &&
      sameTaskDefinition(rendered, fromDescribed(described))
    ) {
      logger.info(
        `Rendered task definition equals ${shortTaskDefinition(described.taskDefinitionArn)}: reusing it.`,
      );
      return { taskDefinitionArn: described.taskDefinitionArn, registered: false };
    }
  }
  throwIfCancelled(deps.signal);
  const response = await ecs.send(new RegisterTaskDefinitionCommand(rendered));
  const arn = response.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new Error('RegisterTaskDefinition returned no taskDefinitionArn');
  logger.info(`Registered ${shortTaskDefinition(arn)}.`);
  return { taskDefinitionArn: arn, registered: true };
}

function familyOf(arn: string): string {
  return shortTaskDefinition(arn).split(':')[0] ?? '';
}

async function describeIfExists(ecs: ECSClient, reference: string) {
  try {
    return (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference }))).taskDefinition;
  } catch (error) {
    // A family registered for the first time has no latest revision yet.
    if (error instanceof Error && /ClientException/.test(error.name)) return undefined;
    throw error;
  }
}
