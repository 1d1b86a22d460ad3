import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { POST_STATE, runPost } from '../src/post-step.js';

// The post step reads only what the main step saved (STATE_* variables, as the runner passes them).
afterEach(() => {
  for (const name of Object.values(POST_STATE)) delete process.env[`STATE_${name}`];
  process.exitCode = undefined;
});

describe('build-push post step', () => {
  it('logs out by removing the private Docker configuration and the secret files a dead main step left', async () => {
    const privateDir = mkdtempSync(path.join(tmpdir(), 'build-push-post-'));
    mkdirSync(path.join(privateDir, 'docker-config'));
    writeFileSync(
      path.join(privateDir, 'docker-config', 'config.json'),
      '{"auths":{"x":{"auth":"c2VjcmV0"}}}',
    );
    mkdirSync(path.join(privateDir, 'secrets'));
    writeFileSync(path.join(privateDir, 'secrets', 'pip_token'), 'secret');
    process.env[`STATE_${POST_STATE.isPost}`] = 'true';
    process.env[`STATE_${POST_STATE.privateDir}`] = privateDir;
    process.env[`STATE_${POST_STATE.cleanup}`] = 'false';
    await runPost();
    expect(existsSync(privateDir)).toBe(false);
    expect(process.exitCode).toBeUndefined();
  });

  it('does nothing when the main step saved nothing', async () => {
    process.env[`STATE_${POST_STATE.isPost}`] = 'true';
    await runPost();
    expect(process.exitCode).toBeUndefined();
  });
});
