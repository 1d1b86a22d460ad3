import { ConfigurationError } from './errors.js';

/** The parts of an SDK v3 client configuration this suite sets. */
export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  retryMode: 'adaptive';
  maxAttempts: number;
  customUserAgent: string;
}

export interface AwsClientOptions {
  /** From the action's `region` input; falls back to AWS_REGION / AWS_DEFAULT_REGION. */
  region?: string;
  /** Names the action in AWS's request logs (CloudTrail userAgent). */
  actionName: string;
  version?: string;
  /** The SDK's service id as used by AWS_ENDPOINT_URL_<ID>, e.g. ECS, ECR, CLOUDWATCH. */
  serviceId?: string;
  env?: NodeJS.ProcessEnv;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * One configuration for every client: the region from the input or the environment, the endpoint
 * from AWS_ENDPOINT_URL (tests point it at the local emulator), adaptive retries (client-side rate
 * limiting on throttling, which ECS describe calls hit when many jobs poll), and a user agent.
 */
export function awsClientConfig(options: AwsClientOptions): AwsClientConfig {
  const env = options.env ?? process.env;
  const region = (options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || '').trim();
  if (region === '') {
    throw new ConfigurationError(
      'No AWS region: set the "region" input, or AWS_REGION (aws-actions/configure-aws-credentials sets it).',
    );
  }
  if (!REGION.test(region)) {
    throw new ConfigurationError(`The AWS region must look like us-east-1; got ${JSON.stringify(region)}.`);
  }
  const serviceEndpoint = options.serviceId
    ? env[`AWS_ENDPOINT_URL_${options.serviceId.toUpperCase()}`]
    : undefined;
  const endpoint = (serviceEndpoint || env.AWS_ENDPOINT_URL || '').trim() || undefined;
  const maxAttempts = Number(env.AWS_MAX_ATTEMPTS) > 0 ? Number(env.AWS_MAX_ATTEMPTS) : 6;
  return {
    region,
    ...(endpoint ? { endpoint } : {}),
    retryMode: 'adaptive',
    maxAttempts,
    customUserAgent: `ecs-ship/${options.actionName}${options.version ? `/${options.version}` : ''}`,
  };
}

/** Static credentials, for tests against the emulator; the action itself uses the SDK's chain. */
export interface AwsStaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * An SDK v3 client built from awsClientConfig: `createAwsClient(ECSClient, { actionName: 'ecs-deploy' })`.
 * Every action builds its clients here, so none forgets the region check, the endpoint, the retry
 * mode or the user agent.
 */
export function createAwsClient<Client>(
  ClientCtor: new (config: AwsClientConfig & { credentials?: AwsStaticCredentials }) => Client,
  options: AwsClientOptions & { credentials?: AwsStaticCredentials },
): Client {
  const { credentials, ...rest } = options;
  return new ClientCtor({ ...awsClientConfig(rest), ...(credentials ? { credentials } : {}) });
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
]);

/** Errors that a poll may outlive: throttling beyond the SDK's own retries, dropped connections. */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const code = (error as { code?: string }).code;
  return (
    THROTTLING.has(error.name) ||
    (meta?.httpStatusCode !== undefined && meta.httpStatusCode >= 500) ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'ECONNREFUSED'
  );
}
