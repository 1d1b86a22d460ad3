// EMULATIONS of actions/setup-node and actions/setup-python: no-ops that record the version asked
// for; steps use the Node and Python already on this machine.
import type { Emulation } from './emulation.js';

export const setupNode: Emulation = {
  inputs: [
    'node-version',
    'node-version-file',
    'architecture',
    'check-latest',
    'registry-url',
    'scope',
    'token',
    'cache',
    'package-manager-cache',
    'cache-dependency-path',
    'mirror',
    'mirror-token',
    'always-auth',
  ],
  run: (step) => {
    const asked = step.inputs['node-version'] || step.inputs['node-version-file'] || '';
    step.log(`Node.js ${process.version} of this machine is used (emulated; asked for ${asked || 'any'})`);
    return {
      outputs: { 'node-version': process.version },
      recorded: { 'node-version': asked, cache: step.inputs.cache ?? '' },
    };
  },
};

export const setupPython: Emulation = {
  inputs: [
    'python-version',
    'python-version-file',
    'cache',
    'architecture',
    'check-latest',
    'token',
    'cache-dependency-path',
    'update-environment',
    'allow-prereleases',
    'freethreaded',
    'pip-version',
    'pip-install',
  ],
  run: (step) => {
    const asked = step.inputs['python-version'] || step.inputs['python-version-file'] || '';
    step.log(`The Python of this machine is used (emulated; asked for ${asked || 'any'})`);
    return { recorded: { 'python-version': asked, cache: step.inputs.cache ?? '' } };
  },
};
