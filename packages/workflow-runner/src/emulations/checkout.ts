// EMULATION of actions/checkout: a no-op, because the workspace already is the repository. What would
// need a real clone (another repository, another directory) fails instead of pretending.
import { resolve } from 'node:path';
import type { Emulation } from './emulation.js';

export const checkout: Emulation = {
  inputs: [
    'repository',
    'ref',
    'token',
    'ssh-key',
    'ssh-known-hosts',
    'ssh-strict',
    'ssh-user',
    'persist-credentials',
    'path',
    'clean',
    'filter',
    'sparse-checkout',
    'sparse-checkout-cone-mode',
    'fetch-depth',
    'fetch-tags',
    'show-progress',
    'lfs',
    'submodules',
    'set-safe-directory',
    'github-server-url',
  ],
  run: (step) => {
    const repository = step.inputs.repository;
    if (repository && repository.toLowerCase() !== step.github.repository.toLowerCase()) {
      throw new Error(
        `checking out another repository (${repository}) is not emulated: the workspace is ${step.github.repository}`,
      );
    }
    const path = step.inputs.path;
    if (path && resolve(step.workspace, path) !== resolve(step.workspace)) {
      throw new Error(`checking out into ${path} is not emulated: the repository is the workspace itself`);
    }
    const ref = step.inputs.ref || step.github.ref;
    step.log(
      `The workspace is the repository; nothing checked out (emulated; ref ${ref} recorded, not switched to)`,
    );
    return {
      outputs: { ref, commit: step.github.sha },
      recorded: {
        ref: step.inputs.ref ?? '',
        'fetch-depth': step.inputs['fetch-depth'] ?? '',
        'persist-credentials': step.inputs['persist-credentials'] ?? '',
      },
    };
  },
};
