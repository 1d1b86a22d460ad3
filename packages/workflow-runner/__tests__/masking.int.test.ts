// Every secret value, the run's token and ::add-mask:: values are *** in what the run records.
import { describe, expect, it } from '@jest/globals';
import type { RunnerEvent } from '../src/types.js';
import { job, runFixture, step } from './fixture-repo.js';

describe('masking', () => {
  it('masks secrets in stdout, stderr, summaries, recorded outputs and inputs, and live logs', async () => {
    const events: RunnerEvent[] = [];
    const run = await runFixture('masking.yml', {
      secrets: { API_KEY: 'api-key-value-1', MULTILINE: 'first-line-secret\nsecond-line-secret' },
      github: { token: 'ghs_run_token_value' },
      onEvent: (event) => events.push(event),
    });
    const print = step(run, 'mask', 'print');
    expect(print.stdout).toBe('key=***\nsecond line: ***\n::add-mask::***\nlater: ***\n');
    expect(print.stderr).toBe('key to stderr: ***\n');
    expect(print.summary).toBe('## summary with ***\n');
    expect(print.outputs).toEqual({ out: '***' });
    const echo = job(run, 'mask').steps[1];
    expect(echo?.inputs).toMatchObject({ message: '***', token: '***' });
    expect(echo?.stdout).toBe('message: ***\ntoken: ***\n');
    const everything = JSON.stringify(run) + JSON.stringify(events);
    for (const secret of [
      'api-key-value-1',
      'first-line-secret',
      'second-line-secret',
      'ghs_run_token_value',
      'runtime-value-42',
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});
