// The rehearsal's benchmark: how much of the pipeline's wall time our own steps spend on themselves,
// i.e. their wall time minus the build (Docker's work) and minus the bakes and watches the
// configuration asks for (waiting by design), as a share of the whole pipeline.
import type { StepTiming } from './step-recorder.js';

export interface Overhead {
  /** Real ms of every step of our actions. */
  ourStepsMs: number;
  /** Real ms of build-push steps. */
  buildMs: number;
  /** Real ms of the configured bakes and watches (simulated minutes / rate). */
  configuredWaitsMs: number;
  /** Real ms of canary-gate steps: judging, mostly waiting for CloudWatch periods. */
  gateMs: number;
  /** Real ms of the pipeline, from the first step to the last. */
  pipelineMs: number;
  /** (ourStepsMs - buildMs - configuredWaitsMs) / pipelineMs: the definition. */
  share: number;
  /** The same without canary-gate's steps, whose time is the data a verdict needs, not mechanics. */
  shareWithoutGate: number;
  /** How many steps of our actions ran. */
  ourSteps: number;
}

/**
 * `configuredWaitMinutes`: the bakes and watches the environments configure that ran (prod's
 * bake-minutes 5, the watch after the shift, when prod was deployed).
 */
export function overhead(steps: StepTiming[], configuredWaitMinutes: number, rate: number): Overhead {
  const ours = steps.filter((step) => step.uses?.includes('/actions/') && step.conclusion !== 'skipped');
  const sum = (list: StepTiming[]) =>
    list.reduce((total, step) => total + (step.realEnd - step.realStart), 0);
  const ourStepsMs = sum(ours);
  const buildMs = sum(ours.filter((step) => step.uses?.includes('/actions/build-push')));
  const gateMs = sum(ours.filter((step) => step.uses?.includes('/actions/canary-gate')));
  const configuredWaitsMs = (configuredWaitMinutes * 60_000) / rate;
  const first = Math.min(...steps.map((step) => step.realStart));
  const last = Math.max(...steps.map((step) => step.realEnd));
  const pipelineMs = steps.length > 0 ? last - first : 0;
  const shareOf = (ms: number) => (pipelineMs > 0 ? Math.max(0, ms) / pipelineMs : 0);
  return {
    ourStepsMs,
    buildMs,
    configuredWaitsMs,
    gateMs,
    pipelineMs,
    share: shareOf(ourStepsMs - buildMs - configuredWaitsMs),
    shareWithoutGate: shareOf(ourStepsMs - buildMs - configuredWaitsMs - gateMs),
    ourSteps: ours.length,
  };
}
