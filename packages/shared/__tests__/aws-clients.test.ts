import { describe, expect, it } from '@jest/globals';
import { awsClientConfig, isTransientAwsError } from '../src/aws-clients.js';

describe('awsClientConfig', () => {
  it('takes the region from the input first, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(
      awsClientConfig({ actionName: 'a', region: 'eu-central-1', env: { AWS_REGION: 'us-east-1' } }).region,
    ).toBe('eu-central-1');
    expect(
      awsClientConfig({ actionName: 'a', env: { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'x' } }).region,
    ).toBe('us-east-1');
    expect(awsClientConfig({ actionName: 'a', env: { AWS_DEFAULT_REGION: 'ap-south-1' } }).region).toBe(
      'ap-south-1',
    );
  });

  it('says how to set a missing region and rejects a malformed one', () => {
    expect(() => awsClientConfig({ actionName: 'a', env: {} })).toThrow(
      'No AWS region: set the "region" input, or AWS_REGION',
    );
    expect(() => awsClientConfig({ actionName: 'a', region: 'Frankfurt', env: {} })).toThrow(
      'The AWS region must look like us-east-1; got "Frankfurt".',
    );
  });

  it('uses adaptive retries and no endpoint unless configured', () => {
    const config = awsClientConfig({ actionName: 'a', env: { AWS_REGION: 'us-east-1' } });
    expect(config).toEqual({
      region: 'us-east-1',
      retryMode: 'adaptive',
      maxAttempts: 6,
      customUserAgent: 'ecs-ship/a',
    });
    expect(
      awsClientConfig({ actionName: 'a', env: { AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1' } })
        .maxAttempts,
    ).toBe(1);
  });
});

describe('isTransientAwsError', () => {
  const named = (name: string, status?: number) =>
    Object.assign(new Error(name), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });
  it.each([
    [named('ThrottlingException', 400), true],
    [named('ServiceUnavailableException', 503), true],
    [named('InternalError', 500), true],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    [named('AccessDeniedException', 400), false],
    [named('ClusterNotFoundException', 400), false],
    ['string', false],
  ])('%s -> %s', (error, expected) => expect(isTransientAwsError(error)).toBe(expected));
});
