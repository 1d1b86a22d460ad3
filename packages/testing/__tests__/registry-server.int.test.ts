import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dockerAvailable } from '@ecs-ship/testing/docker-daemon';
import { isPidAlive } from '@ecs-ship/testing/process';
import { startRegistry, type RegistryServer } from '@ecs-ship/testing/registry-server';

const USER = 'AWS';
const PASSWORD = 'registry-test-password';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('startRegistry', () => {
  let registry: RegistryServer;

  beforeAll(async () => {
    const available = dockerAvailable();
    if (!available.ok) throw new Error(`${available.missing} is missing. ${available.install}`);
    registry = await startRegistry({ username: USER, password: PASSWORD });
  }, 30_000);

  afterAll(async () => {
    await registry?.stop();
  });

  it('serves on 127.0.0.1 and asks for the htpasswd login', async () => {
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
    const anonymous = await fetch(`http://${registry.host}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const wrong = await fetch(`http://${registry.host}/v2/`, {
      headers: { authorization: basic(USER, 'not-the-password') },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`http://${registry.host}/v2/`, {
      headers: { authorization: basic(USER, PASSWORD) },
    });
    expect(right.status).toBe(200);
  });

  it('counts the bytes an upload stores', async () => {
    const before = await registry.storedBytes();
    const blob = Buffer.from('x'.repeat(10_000));
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const auth = { authorization: basic(USER, PASSWORD) };
    const started = await fetch(`http://${registry.host}/v2/probe/blobs/uploads/`, {
      method: 'POST',
      headers: auth,
    });
    expect(started.status).toBe(202);
    const location = new URL(started.headers.get('location') as string, `http://${registry.host}`);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: blob,
    });
    expect(put.status).toBe(201);
    expect((await registry.storedBytes()) - before).toBeGreaterThanOrEqual(blob.length);
    expect(registry.log()).toMatch(/"PUT \/v2\/probe\/blobs\/uploads\//);
  });

  // A test that runs docker with spawnSync blocks this process's event loop; the registry must keep
  // answering meanwhile (it logs to a file: a pipe nobody reads fills up and the registry stalls).
  it('keeps serving while this process is blocked in spawnSync', () => {
    const requests = `
      const url = 'http://${registry.host}/v2/';
      for (let i = 0; i < 400; i++) await (await fetch(url)).arrayBuffer();
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', requests], {
      timeout: 60_000,
      encoding: 'utf8',
    });
    expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({
      status: 0,
      signal: null,
      stderr: '',
    });
    expect(registry.log().length).toBeGreaterThan(128 * 1024);
  }, 90_000);

  it('stops by pid and removes its storage', async () => {
    const other = await startRegistry({ username: USER, password: PASSWORD });
    expect(isPidAlive(other.pid)).toBe(true);
    await other.stop();
    expect(isPidAlive(other.pid)).toBe(false);
    expect(existsSync(other.storageDir)).toBe(false);
  }, 30_000);
});
