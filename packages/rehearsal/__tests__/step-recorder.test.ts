import { describe, expect, it } from '@jest/globals';
import { overhead } from '../src/overhead.js';
import { commandText, jobLabel, type StepTiming } from '../src/step-recorder.js';

describe('the live lines', () => {
  it('names a matrix job by its first value, as a person tells them apart', () => {
    expect(jobLabel('deploy / deploy (api, rolling, , , examples/service/smoke-checks.yml)')).toBe(
      'deploy / deploy (api)',
    );
    expect(jobLabel('deploy / tasks (migrate)')).toBe('deploy / tasks (migrate)');
    expect(jobLabel('plan')).toBe('plan');
  });

  it('decodes workflow command messages', () => {
    expect(commandText('::warning::+636%25, interval +505%25%0Anext')).toBe(
      'warning: +636%, interval +505% next',
    );
    expect(commandText('::error file=a.ts,line=3::broken')).toBe('error: broken');
    expect(commandText('Decision: promote.')).toBe('Decision: promote.');
  });
});

describe('overhead', () => {
  const step = (uses: string, realStart: number, realEnd: number): StepTiming => ({
    workflow: 'w',
    job: 'j',
    step: uses,
    uses,
    conclusion: 'success',
    simStart: 0,
    simEnd: 0,
    realStart,
    realEnd,
    summary: '',
    outputs: {},
  });

  it('is our steps less the build and the configured waits, over the pipeline, with and without the gate', () => {
    const steps = [
      step('./actions/build-push', 0, 10_000),
      step('actions/checkout@v6', 10_000, 11_000),
      step('./actions/ecs-deploy', 11_000, 41_000),
      step('./actions/canary-gate', 41_000, 61_000),
      step('./actions/ecs-deploy', 61_000, 100_000),
    ];
    // 5 configured minutes at 10x: 30 s of the last step is waiting by design.
    const cost = overhead(steps, 5, 10);
    expect(cost).toMatchObject({
      ourStepsMs: 99_000,
      buildMs: 10_000,
      gateMs: 20_000,
      configuredWaitsMs: 30_000,
      pipelineMs: 100_000,
      ourSteps: 4,
    });
    expect(cost.share).toBeCloseTo(0.59, 6);
    expect(cost.shareWithoutGate).toBeCloseTo(0.39, 6);
  });
});
