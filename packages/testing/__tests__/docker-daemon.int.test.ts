import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CONTAINERD_STORE_PREFIX, dockerAvailable, startDockerd } from '@ecs-ship/testing/docker-daemon';
import type { DockerDaemon } from '@ecs-ship/testing/docker-daemon';
import { isPidAlive } from '@ecs-ship/testing/process';

/** Pids of the processes whose command line names `dir` (the daemon's private directory). */
function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function docker(daemon: DockerDaemon, args: string[]): string {
  // `docker` from env()'s PATH: what a dist run with that environment finds.
  return execFileSync('docker', args, { env: { ...process.env, ...daemon.env() }, encoding: 'utf8' }).trim();
}

describe.each([
  { containerdSnapshotter: false, client: '/usr/bin/docker', server: /^20\.10\./, driverType: undefined },
  {
    containerdSnapshotter: true,
    client: `${CONTAINERD_STORE_PREFIX}/bin/docker`,
    server: /^26\./,
    driverType: 'io.containerd.snapshotter.v1',
  },
])(
  'startDockerd(containerdSnapshotter: $containerdSnapshotter)',
  ({ containerdSnapshotter, client, server, driverType }) => {
    it('answers on a private socket with a buildx-capable client first on PATH, and stops by pid', async () => {
      const available = dockerAvailable({ containerdSnapshotter });
      if (!available.ok) throw new Error(`${available.missing} is missing. ${available.install}`);
      const daemon = await startDockerd({ containerdSnapshotter });
      const dir = path.dirname(daemon.socket);
      try {
        expect(daemon.host).toBe(`unix://${daemon.socket}`);
        expect(daemon.env().DOCKER_HOST).toBe(daemon.host);
        expect(daemon.dockerBinary).toBe(client);
        const onPath = execFileSync('sh', ['-c', 'command -v docker'], {
          env: { ...process.env, ...daemon.env() },
        });
        expect(realpathSync(onPath.toString().trim())).toBe(realpathSync(client));
        expect(docker(daemon, ['version', '--format', '{{.Server.Version}}'])).toMatch(server);
        expect(docker(daemon, ['buildx', 'version'])).toMatch(/buildx/);
        // How a builder tells whether the docker driver can export cache: the containerd image store.
        const driverStatus = JSON.parse(
          docker(daemon, ['info', '--format', '{{json .DriverStatus}}']),
        ) as string[][];
        expect(driverStatus.find(([key]) => key === 'driver-type')?.[1]).toBe(driverType);
        expect(processesUsing(dir).length).toBeGreaterThanOrEqual(2); // dockerd and its containerd
      } finally {
        await daemon.stop();
      }
      expect(isPidAlive(daemon.pid)).toBe(false);
      expect(processesUsing(dir)).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    }, 60_000);
  },
);
