import { ConfigurationError } from '@ecs-ship/shared/errors';
import type { RunTaskInputs } from '../inputs.js';
import type { RegistrableTaskDefinition } from '../revision/task-definition.js';

/**
 * What RunTask would refuse, or run wrongly, found before anything is registered: a
 * `command-container` the revision does not have, an awsvpc revision without subnets. Returns the
 * container the command is for (and whose exit code is `exit-code`), when there is a command.
 */
export function checkRunTask(definition: RegistrableTaskDefinition, run: RunTaskInputs): string | undefined {
  const containers = definition.containerDefinitions;
  if (run.commandContainer !== undefined && !containers.some((c) => c.name === run.commandContainer)) {
    throw new ConfigurationError(
      `Input "command-container" names "${run.commandContainer}", which the task definition does not have; its containers are ${containers.map((c) => `"${c.name}"`).join(', ')}.`,
    );
  }
  if (definition.networkMode === 'awsvpc' && run.subnets.length === 0) {
    throw new ConfigurationError(
      'Input "subnets" is required: the task definition uses networkMode awsvpc, so the task needs subnets to run in.',
    );
  }
  if (run.commandContainer !== undefined) return run.commandContainer;
  if (run.command === undefined) return undefined;
  return containers.find((c) => c.essential !== false)?.name ?? containers[0]?.name;
}
