export {
  createGate,
  validateGateConfig,
  alphasFor,
  DEFAULT_MIN_DURATION_PERIODS,
  type Gate,
} from './gate.js';
export { parseTolerance, describeTolerance, ratioBoundary, badSides, type Side } from './tolerance.js';
export * from './types.js';
