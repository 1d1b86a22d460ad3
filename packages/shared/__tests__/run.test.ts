import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createCoreFixture } from '../__fixtures__/core.js';

const fixture = createCoreFixture({ token: 'tok-secret-987', count: 'seven' });
jest.unstable_mockModule('@actions/core', () => fixture.core);
const { runAction } = await import('../src/run.js');
const { ConfigurationError, OutcomeError } = await import('../src/errors.js');
const { heading, paragraph } = await import('../src/summary.js');

let summaryFile: string;
beforeEach(() => {
  summaryFile = path.join(mkdtempSync(path.join(tmpdir(), 'run-')), 'summary.md');
  writeFileSync(summaryFile, '');
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
  fixture.failures.length = 0;
  fixture.log.length = 0;
});
afterEach(() => {
  delete process.env.GITHUB_STEP_SUMMARY;
});

describe('runAction', () => {
  it('gives the body its context and writes the summary once on success', async () => {
    await runAction({ title: 'Test' }, async (context) => {
      context.setOutput('result', 42);
      context.setSummary(() => [heading('Test: passed'), paragraph('all good')]);
    });
    expect(fixture.outputs.result).toBe('42');
    expect(fixture.failures).toEqual([]);
    expect(readFileSync(summaryFile, 'utf8')).toBe('## Test: passed\n\nall good\n');
  });

  it('fails once with a configuration error and still writes a summary', async () => {
    await runAction({ title: 'Test' }, async (context) => {
      context.inputs.integer('count', 1);
    });
    expect(fixture.failures).toEqual(['Input "count" must be a whole number; got "seven".']);
    expect(readFileSync(summaryFile, 'utf8')).toBe(
      '## Test: failed\n\n**Error:** Input "count" must be a whole number; got "seven".\n',
    );
  });

  it('keeps the summary the body built, adds the error, and never prints a secret', async () => {
    await runAction({ title: 'Test', secretInputs: ['token'] }, async (context) => {
      const token = context.inputs.required('token');
      context.setSummary(() => [heading('Test: rolled back'), paragraph(`used ${token}`)]);
      context.logger.info(`calling with ${token}`);
      context.setOutput('echo', token);
      throw new OutcomeError(`deployment failed for ${token}`);
    });
    expect(fixture.secrets).toContain('tok-secret-987');
    expect(fixture.outputs.echo).toBe('***');
    expect(fixture.failures).toEqual(['deployment failed for ***']);
    expect(fixture.log).toContain('calling with ***');
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary).toBe('## Test: rolled back\n\nused ***\n\n**Error:** deployment failed for ***\n');
  });

  it('logs the stack of an unexpected error at debug level only', async () => {
    await runAction({ title: 'Test' }, async () => {
      throw new TypeError('cannot read x of undefined');
    });
    expect(fixture.failures).toEqual(['TypeError: cannot read x of undefined']);
    expect(
      fixture.log.some((line) => line.startsWith('debug: TypeError: cannot read x of undefined\n    at ')),
    ).toBe(true);
  });

  it('survives a summary builder that throws', async () => {
    await runAction({ title: 'Test' }, async (context) => {
      context.setSummary(() => {
        throw new Error('bad data');
      });
      throw new ConfigurationError('Input "x" is required and was not set.');
    });
    expect(fixture.failures).toEqual(['Input "x" is required and was not set.']);
    expect(fixture.log).toContain('warning: Could not build the job summary: bad data');
    expect(readFileSync(summaryFile, 'utf8')).toContain('## Test: failed');
  });

  it('redacts an output only when it is a secret, and warns once about a short secret', async () => {
    const arn = 'arn:aws:ecs:us-east-1:123456789012:service/prod1-cluster/api';
    await runAction({ title: 'Test', secretInputs: ['token'] }, async (context) => {
      context.secrets.add('prod1', 'input "environment"');
      context.secrets.add('prod1', 'input "environment"');
      const token = context.inputs.required('token');
      context.setOutput('service-arn', arn);
      context.setOutput('environment', 'prod1');
      context.setOutput('url', `https://prod1.example.com/?token=${token}`);
    });
    expect(fixture.outputs['service-arn']).toBe(arn);
    expect(fixture.outputs.environment).toBe('***');
    expect(fixture.outputs.url).toBe('https://prod1.example.com/?token=***');
    const warnings = fixture.log.filter((line) => line.startsWith('warning: '));
    expect(warnings).toEqual([
      'warning: A secret from input "environment" has only 5 character(s): secrets shorter than 8 characters cannot be masked safely, so it is masked in logs, summaries and reports but not inside step outputs. Use a longer secret.',
    ]);
  });
});
