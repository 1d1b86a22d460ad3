import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isPidAlive } from '@ecs-ship/testing/process';
import { motoClientConfig, motoEnv, startMoto } from '@ecs-ship/testing/moto';
import type { MotoServer } from '@ecs-ship/testing/moto';

// A plain signed-less query API call is enough to prove moto answers AWS protocol requests;
// the SDK clients are exercised by the actions' own integration tests.
async function listClusters(endpoint: string): Promise<string[]> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=x',
    },
    body: '{}',
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { clusterArns: string[] }).clusterArns;
}

async function createCluster(endpoint: string, name: string): Promise<void> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateCluster',
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=x',
    },
    body: JSON.stringify({ clusterName: name }),
  });
  expect(response.status).toBe(200);
}

describe('startMoto', () => {
  let moto: MotoServer;

  beforeAll(async () => {
    moto = await startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '2' } });
  }, 30_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it('answers on 127.0.0.1, keeps state until reset()', async () => {
    expect(moto.endpoint).toBe(`http://127.0.0.1:${moto.port}`);
    await createCluster(moto.endpoint, 'prod');
    expect(await listClusters(moto.endpoint)).toEqual([expect.stringMatching(/:cluster\/prod$/)]);
    await moto.reset();
    expect(await listClusters(moto.endpoint)).toEqual([]);
  });

  it('stop() kills the server by pid and waits for it to exit', async () => {
    const other = await startMoto();
    expect(isPidAlive(other.pid)).toBe(true);
    await other.stop();
    expect(isPidAlive(other.pid)).toBe(false);
    await expect(fetch(other.endpoint)).rejects.toThrow();
    await other.stop(); // a second stop is harmless
  }, 30_000);

  it('says how to install moto when it is not on PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startMoto()).rejects.toThrow('pip install "moto[server]"');
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('motoClientConfig / motoEnv', () => {
  it('point the SDK and dist runs at the endpoint with dummy credentials and one attempt', () => {
    expect(motoClientConfig('http://127.0.0.1:1')).toEqual({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 1,
    });
    expect(motoEnv('http://127.0.0.1:1')).toMatchObject({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_MAX_ATTEMPTS: '1',
    });
  });
});
