// The built-in EMULATIONS of third-party actions, by the lower-case name `uses:` gives them.
import { downloadArtifact, uploadArtifact } from './artifacts.js';
import { checkout } from './checkout.js';
import { configureAwsCredentials } from './configure-aws-credentials.js';
import type { Emulation } from './emulation.js';
import { setupNode, setupPython } from './setup-toolchain.js';

export type { Emulation } from './emulation.js';

export const EMULATIONS: ReadonlyMap<string, Emulation> = new Map([
  ['actions/checkout', checkout],
  ['actions/setup-node', setupNode],
  ['actions/setup-python', setupPython],
  ['actions/upload-artifact', uploadArtifact],
  ['actions/download-artifact', downloadArtifact],
  ['aws-actions/configure-aws-credentials', configureAwsCredentials],
]);
