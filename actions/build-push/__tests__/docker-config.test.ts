import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createDockerConfig, dockerLogin, removeDockerConfig } from '../src/docker-config.js';
import type { Exec, ExecOptions } from '../src/exec.js';

// The login runs `docker login` through the exec function the action gets (@actions/exec in the
// runner); here a recording one stands in. The real CLI logs in during the e2e tier.
const PASSWORD = 'AWS-token-value-ZXhhbXBsZQ';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'docker-config-test-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function recordingExec(answer: { exitCode: number; stderr?: string; stdout?: string }) {
  const calls: Array<{ command: string; args: string[]; options?: ExecOptions }> = [];
  const exec: Exec = async (command, args, options) => {
    calls.push({ command, args, ...(options ? { options } : {}) });
    return { exitCode: answer.exitCode, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' };
  };
  return { exec, calls };
}

describe('createDockerConfig / removeDockerConfig', () => {
  it('makes a private 0700 directory with a 0600 config.json, and removing it is the logout', async () => {
    const dir = await createDockerConfig(path.join(root, 'docker-config'));
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const config = path.join(dir, 'config.json');
    expect((await stat(config)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(config, 'utf8'))).toEqual({ auths: {} });
    await removeDockerConfig(dir);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
    await removeDockerConfig(dir); // twice (the post step after the main step) is fine
  });
});

describe('dockerLogin', () => {
  const login = (configDir: string) => ({
    host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    username: 'AWS',
    password: PASSWORD,
    configDir,
    env: { DOCKER_HOST: 'unix:///tmp/d.sock' },
  });

  it('passes the password on stdin, never on the command line, into the private DOCKER_CONFIG', async () => {
    const { exec, calls } = recordingExec({ exitCode: 0 });
    await dockerLogin(exec, login('/tmp/private/docker-config'));
    expect(calls).toEqual([
      {
        command: 'docker',
        args: [
          'login',
          '--username',
          'AWS',
          '--password-stdin',
          '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        ],
        options: {
          env: { DOCKER_HOST: 'unix:///tmp/d.sock', DOCKER_CONFIG: '/tmp/private/docker-config' },
          input: PASSWORD,
          silent: true,
        },
      },
    ]);
    expect(calls[0]?.args.join(' ')).not.toContain(PASSWORD);
  });

  it("fails with docker's reason, never the password", async () => {
    const { exec } = recordingExec({
      exitCode: 1,
      stderr: `WARNING! Using --password-stdin\nError response from daemon: login attempt to https://x/v2/ failed with status: 401 Unauthorized (${PASSWORD})\n`,
    });
    const failed = dockerLogin(exec, login('/tmp/c'));
    await expect(failed).rejects.toThrow(
      'docker login to 123456789012.dkr.ecr.eu-west-1.amazonaws.com as AWS failed (exit 1): Error response from daemon: login attempt to https://x/v2/ failed with status: 401 Unauthorized (***).',
    );
    await expect(failed).rejects.not.toThrow(PASSWORD);
  });

  it('refuses an empty password before running docker', async () => {
    const { exec, calls } = recordingExec({ exitCode: 0 });
    await expect(dockerLogin(exec, { ...login('/tmp/c'), password: '' })).rejects.toThrow(
      'the password is empty',
    );
    expect(calls).toHaveLength(0);
  });
});
