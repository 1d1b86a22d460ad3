import { createGate } from '../../../actions/canary-gate/src/engine/gate.js';
import type { GateConfig } from '../../../actions/canary-gate/src/engine/types.js';
import { ERRORS, LATENCY, PERIODS, type Trace } from '../traffic.js';
import type { Outcome } from './outcome.js';

export const GATE_CONFIG: GateConfig = {
  metrics: [
    {
      name: ERRORS,
      label: '5xx rate',
      kind: 'rate',
      direction: 'increase',
      tolerance: { relative: 0.2 },
      critical: true,
    },
    {
      name: LATENCY,
      label: 'latency',
      kind: 'level',
      direction: 'increase',
      tolerance: { relative: 0.2 },
      critical: true,
      unit: 'seconds',
    },
  ],
  falseRollbackRate: 0.01,
  minDurationPeriods: 3,
  maxDurationPeriods: PERIODS,
  minRequests: 250,
  onTimeout: 'fail',
};

export function gateRule(trace: Trace): Outcome {
  const gate = createGate(GATE_CONFIG);
  for (const period of trace.periods) {
    const state = gate.observe(period);
    if (state.decision === 'promote' || state.decision === 'rollback') {
      return { decision: state.decision, minutes: state.periods };
    }
    if (state.decision === 'inconclusive') break;
  }
  return { decision: 'inconclusive', minutes: trace.periods.length };
}
