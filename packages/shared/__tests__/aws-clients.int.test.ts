import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { awsClientConfig, createAwsClient } from '../src/aws-clients.js';

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
});
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

describe('createAwsClient against the emulator', () => {
  it('reaches the emulator through AWS_ENDPOINT_URL with the environment region', async () => {
    expect(awsClientConfig({ actionName: 'ecs-deploy', env: env() })).toMatchObject({
      region: 'eu-west-1',
      endpoint: moto.endpoint,
      retryMode: 'adaptive',
    });
    const ecs = createAwsClient(ECSClient, { actionName: 'ecs-deploy', env: env(), credentials });
    await ecs.send(new CreateClusterCommand({ clusterName: 'factory-test' }));
    const { clusterArns } = await ecs.send(new ListClustersCommand({}));
    expect(clusterArns).toContain('arn:aws:ecs:eu-west-1:123456789012:cluster/factory-test');
  });

  it('prefers a service-specific endpoint and the region input', async () => {
    const ecr = createAwsClient(ECRClient, {
      actionName: 'build-push',
      region: 'us-west-2',
      serviceId: 'ECR',
      env: { ...env(), AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_ECR: moto.endpoint },
      credentials,
    });
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'api' }));
    expect(repository?.repositoryUri).toBe('123456789012.dkr.ecr.us-west-2.amazonaws.com/api');
  });

  it('sends a user agent naming the action on the wire', async () => {
    const ecs = createAwsClient(ECSClient, {
      actionName: 'ecs-deploy',
      version: '1.2.3',
      env: env(),
      credentials,
    });
    const sent: Array<Record<string, string>> = [];
    // finalizeRequest runs after the user agent middleware, on the request as it leaves the client.
    ecs.middlewareStack.add(
      (next) => async (args) => {
        sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'recordHeaders' },
    );
    await ecs.send(new ListClustersCommand({}));
    expect(sent).toHaveLength(1);
    const agents = `${sent[0]?.['user-agent'] ?? ''} ${sent[0]?.['x-amz-user-agent'] ?? ''}`;
    expect(agents).toContain('ecs-ship/ecs-deploy/1.2.3');
  });
});
