// The shape of a built-in EMULATION of a third-party action.
import type { ThirdPartyHandler } from '../types.js';

export interface Emulation {
  /** The real action's inputs this emulation accepts; any other input fails the step in strict mode. */
  inputs: readonly string[];
  run: ThirdPartyHandler;
}
