import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  type ImageTagMutability,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { ecrLogin, ensureRepository, parseRepository } from '../src/ecr.js';

// Repository names and URIs (ECR's rules), token decoding, and the answers moto cannot give
// (a create race, a malformed token) scripted with aws-sdk-client-mock. ecr.int.test.ts runs moto.

describe('parseRepository', () => {
  it.each([
    ['ml/api', { name: 'ml/api' }],
    ['api', { name: 'api' }],
    ['team-a/ml.models/api_v2', { name: 'team-a/ml.models/api_v2' }],
    ['  ml/api  ', { name: 'ml/api' }],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/api',
      {
        name: 'ml/api',
        host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        registryId: '123456789012',
        region: 'eu-west-1',
      },
    ],
    [
      '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/api',
      {
        name: 'api',
        host: '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com',
        registryId: '123456789012',
        region: 'us-gov-west-1',
      },
    ],
    [
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api',
      {
        name: 'api',
        host: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
        registryId: '123456789012',
        region: 'cn-north-1',
      },
    ],
    [
      '123456789012.dkr-ecr.eu-west-1.on.aws/api',
      {
        name: 'api',
        host: '123456789012.dkr-ecr.eu-west-1.on.aws',
        registryId: '123456789012',
        region: 'eu-west-1',
      },
    ],
  ])('reads %j', (input, expected) => {
    expect(parseRepository(input)).toEqual(expected);
  });

  it.each([
    ['', ''],
    ['a', ''],
    ['ML/api', ''],
    ['ml//api', ''],
    ['ml/api/', ''],
    ['-ml/api', ''],
    ['ml..api', ''],
    ['ml/api:latest', ', without a tag or digest'],
    [`ml/api@sha256:${'a'.repeat(64)}`, ', without a tag or digest'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/api:v1', ', without a tag or digest'],
    ['https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/api', ', without a scheme'],
    ['ghcr.io/acme/api', '"ghcr.io" is not an ECR registry host'],
    ['127.0.0.1:5000/ml/api', '"127.0.0.1:5000" is not an ECR registry host'],
    ['localhost/ml/api', '"localhost" is not an ECR registry host'],
    ['12345.dkr.ecr.eu-west-1.amazonaws.com/api', 'is not an ECR registry host'],
    [`${'a'.repeat(257)}`, ''],
  ])('refuses %j naming the input, the rule and the value', (input, why) => {
    let error: unknown;
    try {
      parseRepository(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Input "repository" must be an ECR repository name \(2-256 characters/);
    expect(message).toContain(why);
    expect(message).toContain(`got ${JSON.stringify(input)}.`);
  });
});

// One mock for the file: a second mockClient(ECRClient) would replace the first one's stub.
const ecr = mockClient(ECRClient);
beforeEach(() => {
  ecr.reset();
});

describe('ecrLogin', () => {
  const answer = (authorizationToken: string) =>
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken, proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com' },
      ],
    });

  it('keeps a password with colons whole', async () => {
    answer(Buffer.from('AWS:eyJ:wi:th:colons').toString('base64'));
    const login = await ecrLogin(new ECRClient({ region: 'eu-west-1' }));
    expect(login).toEqual({
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      username: 'AWS',
      password: 'eyJ:wi:th:colons',
    });
  });

  it('refuses a token that is not user:password without quoting it', async () => {
    answer(Buffer.from('no-colon-secret-value').toString('base64'));
    const failed = ecrLogin(new ECRClient({ region: 'eu-west-1' }));
    await expect(failed).rejects.toThrow('does not decode to "user:password"');
    await expect(failed).rejects.not.toThrow(/secret-value/);
  });

  it('takes a 12-digit account ID, not a host', async () => {
    await expect(
      ecrLogin(new ECRClient({ region: 'eu-west-1' }), '123456789012.dkr.ecr.eu-west-1.amazonaws.com'),
    ).rejects.toThrow('ecrLogin takes a 12-digit AWS account ID');
    expect(ecr.calls()).toHaveLength(0);
  });
});

describe('ensureRepository', () => {
  const notFound = new RepositoryNotFoundException({ message: 'not found', $metadata: {} });

  it('uses the repository another job created between describe and create', async () => {
    ecr
      .on(DescribeRepositoriesCommand)
      .rejectsOnce(notFound)
      .resolves({
        repositories: [
          {
            repositoryName: 'ml/api',
            repositoryUri: 'x/ml/api',
            imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
            imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: '*' }],
          },
        ],
      });
    ecr
      .on(CreateRepositoryCommand)
      .rejects(new RepositoryAlreadyExistsException({ message: 'exists', $metadata: {} }));
    const result = await ensureRepository(new ECRClient({ region: 'eu-west-1' }), 'ml/api', {
      create: true,
      mutableTags: ['latest*'],
    });
    expect(result).toEqual({
      created: false,
      uri: 'x/ml/api',
      tagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      exclusionFilters: ['*'],
    });
  });

  it.each([
    ['MUTABLE', [], ['latest*'], true],
    ['IMMUTABLE', [], [], true],
    ['IMMUTABLE', [], ['latest*'], false],
    ['IMMUTABLE_WITH_EXCLUSION', ['latest*'], ['latest*'], true],
    ['IMMUTABLE_WITH_EXCLUSION', ['lat*'], ['latest-cuda*'], true],
    ['IMMUTABLE_WITH_EXCLUSION', ['latest'], ['latest*'], false],
    ['MUTABLE_WITH_EXCLUSION', ['v*'], ['latest*'], true],
    ['MUTABLE_WITH_EXCLUSION', ['*'], ['latest*'], false],
  ] as Array<[ImageTagMutability, string[], string[], boolean]>)(
    'an existing %s repository with filters %j accepts moving %j: %s',
    async (mutability, filters, moving, ok) => {
      ecr.on(DescribeRepositoriesCommand).resolves({
        repositories: [
          {
            repositoryName: 'ml/api',
            imageTagMutability: mutability,
            imageTagMutabilityExclusionFilters: filters.map((filter) => ({ filterType: 'WILDCARD', filter })),
          },
        ],
      });
      const ensured = ensureRepository(new ECRClient({ region: 'eu-west-1' }), 'ml/api', {
        create: false,
        mutableTags: [...moving],
      });
      if (ok) await expect(ensured).resolves.toMatchObject({ created: false });
      else await expect(ensured).rejects.toBeInstanceOf(ConfigurationError);
    },
  );

  it('passes errors other than a missing repository on', async () => {
    ecr
      .on(DescribeRepositoriesCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(
      ensureRepository(new ECRClient({ region: 'eu-west-1' }), 'ml/api', { create: true, mutableTags: [] }),
    ).rejects.toThrow('denied');
    expect(ecr.commandCalls(CreateRepositoryCommand)).toHaveLength(0);
  });
});
