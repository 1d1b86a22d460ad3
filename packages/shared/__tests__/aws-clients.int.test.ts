import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { awsClientConfig } from '../src/aws-clients.js';

// The client factory against the AWS emulator: the endpoint comes from AWS_ENDPOINT_URL, exactly as
// the actions' end-to-end tests and a user's LocalStack setup would set it.
let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
});

const env = () => ({
  AWS_ENDPOINT_URL: moto.endpoint,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
});

describe('awsClientConfig against the emulator', () => {
  it('reaches the emulator through AWS_ENDPOINT_URL with the environment region', async () => {
    const config = awsClientConfig({ actionName: 'ecs-deploy', env: env() });
    expect(config).toMatchObject({ region: 'eu-west-1', endpoint: moto.endpoint, retryMode: 'adaptive' });
    const ecs = new ECSClient({
      ...config,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await ecs.send(new CreateClusterCommand({ clusterName: 'factory-test' }));
    const { clusterArns } = await ecs.send(new ListClustersCommand({}));
    expect(clusterArns).toContain('arn:aws:ecs:eu-west-1:123456789012:cluster/factory-test');
  });

  it('prefers a service-specific endpoint and the region input', async () => {
    const config = awsClientConfig({
      actionName: 'build-push',
      region: 'us-west-2',
      serviceId: 'ECR',
      env: { ...env(), AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_ECR: moto.endpoint },
    });
    const ecr = new ECRClient({
      ...config,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'api' }));
    expect(repository?.repositoryUri).toBe('123456789012.dkr.ecr.us-west-2.amazonaws.com/api');
  });

  it('sends a user agent naming the action', async () => {
    const config = awsClientConfig({ actionName: 'ecs-deploy', version: '1.2.3', env: env() });
    expect(config.customUserAgent).toBe('ecs-ship/ecs-deploy/1.2.3');
  });
});
