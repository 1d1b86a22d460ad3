// The built-in emulations: checkout, setup-node / setup-python, upload / download-artifact,
// configure-aws-credentials.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { job, runFixture, step } from './fixture-repo.js';

const credentials = { AWS_ACCESS_KEY_ID: 'AKIDFIXTURE', AWS_SECRET_ACCESS_KEY: 'fixture-secret-access-key' };
let workDir: string | undefined;

afterEach(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
});

describe('emulations', () => {
  it('checks nothing out (the workspace is the repository) and sets up nothing, recording what was asked', async () => {
    const run = await runFixture('emulations.yml', { env: credentials });
    const [checkout, node, python] = job(run, 'produce').steps;
    expect(checkout).toMatchObject({
      conclusion: 'success',
      outputs: { ref: 'refs/heads/main', commit: '0123456789abcdef0123456789abcdef01234567' },
      emulation: {
        action: 'actions/checkout',
        recorded: { 'persist-credentials': 'false', 'fetch-depth': '0' },
      },
    });
    expect(node).toMatchObject({
      outputs: { 'node-version': process.version },
      emulation: { recorded: { 'node-version': '24' } },
    });
    expect(python?.emulation?.recorded).toMatchObject({ 'python-version': '3.12' });
  });

  it('refuses a checkout of another repository or into another path', async () => {
    const run = await runFixture('emulations.yml', { env: credentials });
    expect(step(run, 'refused', 'other-repository').error).toBe(
      'actions/checkout@v4 (emulated): checking out another repository (someone/else) is not emulated: the workspace is octo-org/octo-repo',
    );
    expect(step(run, 'refused', 'other-path').error).toBe(
      'actions/checkout@v4 (emulated): checking out into elsewhere is not emulated: the repository is the workspace itself',
    );
  });

  it('keeps artifacts in the run: paths, excludes, hidden files, pattern and merge-multiple', async () => {
    workDir = mkdtempSync(join(tmpdir(), 'emulations-'));
    const run = await runFixture('emulations.yml', { env: credentials, workDir });
    expect(step(run, 'produce', 'upload-a')).toMatchObject({
      outputs: {
        'artifact-id': '1',
        'artifact-url': 'https://github.com/octo-org/octo-repo/actions/runs/1000000001/artifacts/1',
      },
      emulation: { recorded: { name: 'record-a', files: ['one.txt', 'sub/two.txt'] } },
    });
    expect(step(run, 'produce', 'upload-a').outputs['artifact-digest']).toMatch(/^[0-9a-f]{64}$/);
    expect(step(run, 'produce', 'again')).toMatchObject({ outcome: 'failure', conclusion: 'success' });
    expect(step(run, 'produce', 'again').error).toContain(
      'an artifact named "record-b" already exists in this run',
    );
    expect(step(run, 'produce', 'nothing')).toMatchObject({
      conclusion: 'success',
      annotations: [
        { level: 'warning', message: expect.stringContaining('No files were found with the provided path') },
      ],
    });
    expect(job(run, 'consume').steps[3]?.stdout).toBe(
      [
        'each/record-a/one.txt',
        'each/record-a/sub/two.txt',
        'each/record-b/b.txt',
        'merged/b.txt',
        'merged/one.txt',
        'merged/sub/two.txt',
        'one/one.txt',
        'one/sub/two.txt',
        '',
      ].join('\n'),
    );
    expect(step(run, 'consume', 'merged').emulation?.recorded).toMatchObject({
      downloaded: ['record-a', 'record-b'],
    });
    expect(run.artifactsDir && readdirSync(run.artifactsDir)).toEqual(['record-a', 'record-b']);
  });

  it('downloads the artifacts of an earlier run by run-id when given them, and fails closed otherwise', async () => {
    workDir = mkdtempSync(join(tmpdir(), 'emulations-'));
    const first = await runFixture('emulations.yml', { env: credentials, workDir });
    expect(step(first, 'refused', 'other-run').error).toBe(
      "actions/download-artifact@v4 (emulated): the artifacts of run 99 are not known here; pass otherRunArtifacts: { '99': <that run's artifactsDir> }",
    );
    const second = await runFixture('emulations.yml', {
      env: credentials,
      otherRunArtifacts: { '99': first.artifactsDir ?? '' },
    });
    expect(step(second, 'refused', 'other-run').error).toBe(
      'actions/download-artifact@v4 (emulated): Artifact not found for name: x (run 99 has: record-a, record-b)',
    );
  });

  it('hands the runner env credentials on as the role asked for, and refuses an empty role', async () => {
    const run = await runFixture('emulations.yml', { env: credentials });
    expect(step(run, 'aws', 'creds')).toMatchObject({
      conclusion: 'success',
      outputs: {
        'aws-account-id': '123456789012',
        'authenticated-arn': 'arn:aws:sts::123456789012:assumed-role/deployer/GitHubActions',
      },
      emulation: {
        action: 'aws-actions/configure-aws-credentials',
        recorded: { 'role-to-assume': 'arn:aws:iam::123456789012:role/deployer', 'aws-region': 'eu-west-1' },
      },
    });
    expect(job(run, 'aws').steps[1]?.stdout).toBe('region=eu-west-1 default=eu-west-1 key=AKIDFIXTURE\n');
    expect(step(run, 'aws', 'empty-role')).toMatchObject({ outcome: 'failure' });
    expect(step(run, 'aws', 'empty-role').error).toContain('input role-to-assume is empty');
    // The secret key is masked from the moment the emulation hands it on.
    expect(JSON.stringify(run)).not.toContain('fixture-secret-access-key');
  });

  it('fails configure-aws-credentials when the runner has no credentials to hand on', async () => {
    const run = await runFixture('emulations.yml');
    expect(step(run, 'aws', 'creds').error).toContain(
      "the runner's env has no AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
    );
  });

  it('removes its work directory when none was given', async () => {
    const run = await runFixture('emulations.yml', { env: credentials });
    expect(run.artifactsDir).toBeUndefined();
    const path = step(run, 'consume', 'one').outputs['download-path'] ?? '';
    expect(path).not.toBe('');
    expect(existsSync(path)).toBe(false);
  });
});
