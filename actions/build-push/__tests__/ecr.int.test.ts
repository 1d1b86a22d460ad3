import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { motoClientConfig, startMoto, type MotoServer } from '@ecs-ship/testing/moto';
import { ecrLogin, ensureRepository } from '../src/ecr.js';

// The ECR control plane against moto: its GetAuthorizationToken hands out the fixed
// `AWS:<account>-auth-token` for a proxyEndpoint host that does not resolve (the action's
// `registry` input points the data plane elsewhere), and its repositories keep scanning and
// tag-mutability settings as ECR does.
let moto: MotoServer;
let ecr: ECRClient;
beforeAll(async () => {
  moto = await startMoto();
  ecr = new ECRClient(motoClientConfig(moto.endpoint));
});
afterAll(async () => {
  ecr?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
});

const describeOne = async (name: string) =>
  (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories?.[0];

describe('ecrLogin against moto', () => {
  it("decodes the account's token into the registry host, user and password", async () => {
    const login = await ecrLogin(ecr);
    expect(login).toMatchObject({
      registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      username: 'AWS',
      password: '123456789012-auth-token',
    });
    expect(login.expiresAt).toBeInstanceOf(Date);
  });

  it("names another account's registry when given its ID", async () => {
    const login = await ecrLogin(ecr, '210987654321');
    expect(login.registry).toBe('210987654321.dkr.ecr.us-east-1.amazonaws.com');
    expect(login.password).toBe('210987654321-auth-token');
  });
});

describe('ensureRepository against moto', () => {
  it('fails naming repository and create-repository when it is missing, and creates nothing', async () => {
    const missing = ensureRepository(ecr, 'ml/api', { create: false, mutableTags: ['latest*'] });
    await expect(missing).rejects.toBeInstanceOf(ConfigurationError);
    await expect(missing).rejects.toThrow(
      'Input "repository": ECR has no repository "ml/api"; create it (infrastructure code) or set "create-repository: true".',
    );
    await expect(describeOne('ml/api')).rejects.toThrow(/does not exist/);
  });

  it('creates it scanning on push, tags immutable except the ones this action moves', async () => {
    const result = await ensureRepository(ecr, 'ml/api', {
      create: true,
      mutableTags: ['latest*', 'buildcache-*', 'latest*'],
    });
    expect(result).toEqual({
      created: true,
      uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ml/api',
      tagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      exclusionFilters: ['latest*', 'buildcache-*'],
    });
    const stored = await describeOne('ml/api');
    expect(stored?.imageScanningConfiguration).toEqual({ scanOnPush: true });
    expect(stored?.imageTagMutability).toBe('IMMUTABLE_WITH_EXCLUSION');
    expect(stored?.imageTagMutabilityExclusionFilters).toEqual([
      { filterType: 'WILDCARD', filter: 'latest*' },
      { filterType: 'WILDCARD', filter: 'buildcache-*' },
    ]);
  });

  it('creates it plainly IMMUTABLE when no tag moves', async () => {
    await ensureRepository(ecr, 'ml/api', { create: true, mutableTags: [] });
    const stored = await describeOne('ml/api');
    expect(stored?.imageTagMutability).toBe('IMMUTABLE');
    expect(stored?.imageTagMutabilityExclusionFilters ?? []).toEqual([]);
  });

  it('uses an existing repository as it is, on the second run too', async () => {
    await ensureRepository(ecr, 'ml/api', { create: true, mutableTags: ['latest*'] });
    const again = await ensureRepository(ecr, 'ml/api', { create: true, mutableTags: ['latest*'] });
    expect(again).toMatchObject({ created: false, tagMutability: 'IMMUTABLE_WITH_EXCLUSION' });
    // A narrower pattern is covered by the stored wider one.
    const narrower = await ensureRepository(ecr, 'ml/api', { create: false, mutableTags: ['latest-cuda*'] });
    expect(narrower.created).toBe(false);
  });

  it('refuses, before any build, an immutable repository that would refuse the tags this action moves', async () => {
    await ensureRepository(ecr, 'ml/api', { create: true, mutableTags: [] });
    await expect(
      ensureRepository(ecr, 'ml/api', { create: true, mutableTags: ['main*', 'buildcache-*'] }),
    ).rejects.toThrow(
      'Input "repository": ECR repository "ml/api" has IMMUTABLE tags, but this action rewrites main*, buildcache-* on every build',
    );
  });

  it('refuses more moving tags than ECR has exclusion filters for, and creates nothing', async () => {
    const six = ['a*', 'b*', 'c*', 'd*', 'e*', 'buildcache-*'];
    await expect(ensureRepository(ecr, 'ml/api', { create: true, mutableTags: six })).rejects.toThrow(
      'Input "create-repository": the tags this action moves (a*, b*, c*, d*, e*, buildcache-*) need 6 ECR tag-mutability exclusion filters; ECR allows 5.',
    );
    await expect(describeOne('ml/api')).rejects.toThrow(/does not exist/);
  });

  it("finds and creates repositories in another account's registry", async () => {
    const options = { create: true, mutableTags: [], registryId: '123456789012' };
    expect((await ensureRepository(ecr, 'team/svc', options)).created).toBe(true);
    expect((await ensureRepository(ecr, 'team/svc', options)).created).toBe(false);
  });
});
