import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Exec } from './exec.js';

/**
 * A private DOCKER_CONFIG for this step: the registry login is written here and nowhere else, so
 * it never touches the runner user's ~/.docker and goes when the directory goes. An empty
 * `auths` keeps credentials in this file (a runner without credential helpers, as GitHub's are).
 */
export async function createDockerConfig(directory: string): Promise<string> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  // mkdir's mode applies only to a directory it creates: a leftover one is tightened too.
  await chmod(directory, 0o700);
  await writeFile(path.join(directory, 'config.json'), '{\n  "auths": {}\n}\n', { mode: 0o600 });
  await chmod(path.join(directory, 'config.json'), 0o600);
  return directory;
}

export interface DockerLogin {
  host: string;
  username: string;
  /** Goes to `docker login` on stdin only: never argv (visible in `ps`), never a log line. */
  password: string;
  /** The private DOCKER_CONFIG from createDockerConfig. */
  configDir: string;
  /** More environment for docker (DOCKER_HOST). */
  env?: Record<string, string>;
}

/** `docker login --username U --password-stdin HOST` into the private configuration. */
export async function dockerLogin(exec: Exec, login: DockerLogin): Promise<void> {
  if (login.password === '') {
    throw new Error(`docker login to ${login.host}: the password is empty.`);
  }
  const result = await exec(
    'docker',
    ['login', '--username', login.username, '--password-stdin', login.host],
    {
      env: { ...(login.env ?? {}), DOCKER_CONFIG: login.configDir },
      input: login.password,
      silent: true,
    },
  );
  if (result.exitCode !== 0) {
    const lines = `${result.stderr}\n${result.stdout}`
      .split(login.password)
      .join('***')
      .split('\n')
      .map((line) => line.trim())
      // The CLI's warning about unencrypted storage is not why it failed.
      .filter((line) => line !== '' && !/^WARNING!/.test(line));
    throw new Error(
      `docker login to ${login.host} as ${login.username} failed (exit ${result.exitCode})${lines.length > 0 ? `: ${lines.at(-1)}` : ''}.`,
    );
  }
}

/** Logging out of a private configuration is deleting it (credentials included). */
export async function removeDockerConfig(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}
