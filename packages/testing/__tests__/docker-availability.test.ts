import { describe, expect, it } from '@jest/globals';
import {
  CONTAINERD_STORE_PREFIX,
  DOCKER_INSTALL_COMMAND,
  dockerAvailable,
} from '@ecs-ship/testing/docker-daemon';

// The e2e tier fails with this answer instead of skipping, so what it names matters.
describe('dockerAvailable', () => {
  const everything = () => true;

  it('is ok as root with every binary present', () => {
    expect(dockerAvailable({ fileExists: everything, uid: 0 })).toEqual({ ok: true });
    expect(dockerAvailable({ containerdSnapshotter: true, fileExists: everything, uid: 0 })).toEqual({
      ok: true,
    });
  });

  it.each([
    ['/usr/sbin/dockerd', 'dockerd'],
    ['/usr/libexec/docker/cli-plugins/docker-buildx', 'buildx plugin'],
    ['/usr/bin/docker-registry', 'docker-registry'],
    ['/usr/bin/htpasswd', 'apache2-utils'],
    ['/bin/busybox', 'busybox-static'],
  ])('names %s and the install command when it is missing', (absent, named) => {
    const answer = dockerAvailable({ fileExists: (file) => file !== absent, uid: 0 });
    expect(answer).toEqual({
      ok: false,
      missing: expect.stringContaining(named),
      install: expect.stringContaining(DOCKER_INSTALL_COMMAND),
    });
    expect(answer.ok === false && answer.missing).toContain(absent);
  });

  it('asks for the containerd-store engine only when a test wants it', () => {
    const noKit = (file: string) => !file.startsWith(CONTAINERD_STORE_PREFIX);
    expect(dockerAvailable({ fileExists: noKit, uid: 0 })).toEqual({ ok: true });
    const answer = dockerAvailable({ containerdSnapshotter: true, fileExists: noKit, uid: 0 });
    expect(answer.ok === false && answer.missing).toContain(`${CONTAINERD_STORE_PREFIX}/bin/dockerd`);
  });

  it('needs root: the tests run their own rootful dockerd', () => {
    const answer = dockerAvailable({ fileExists: everything, uid: 1000 });
    expect(answer.ok === false && answer.missing).toMatch(/^root/);
  });
});
