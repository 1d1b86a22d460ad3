import { ECSClient } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { awsClientConfig } from '@ecs-ship/shared/aws-clients';
import { ConfigurationError, describeError } from '@ecs-ship/shared/errors';

/** The 15 minutes STS allows at least: the source reads take seconds. */
const SESSION_SECONDS = 900;
export const SESSION_NAME = 'ecs-ship-ecs-deploy-images-from';

/**
 * The ECS client the source reads go through: the job's own credentials in `region`, or, with
 * `roleArn`, a role of another account assumed for these reads alone (the deploy itself keeps the
 * job's credentials). Built only when images-from is resolved, after every input was validated.
 */
export async function sourceEcsClient(options: { region: string; roleArn?: string }): Promise<ECSClient> {
  const config = awsClientConfig({ region: options.region, actionName: 'ecs-deploy', serviceId: 'ECS' });
  if (options.roleArn === undefined) return new ECSClient(config);
  const sts = new STSClient(
    awsClientConfig({ region: options.region, actionName: 'ecs-deploy', serviceId: 'STS' }),
  );
  let answer;
  try {
    answer = await sts.send(
      new AssumeRoleCommand({
        RoleArn: options.roleArn,
        RoleSessionName: SESSION_NAME,
        DurationSeconds: SESSION_SECONDS,
      }),
    );
  } catch (error) {
    if (error instanceof Error && /AccessDenied|NoSuchEntity|InvalidClientTokenId/.test(error.name))
      throw new ConfigurationError(
        `Input "images-from-role": could not assume ${options.roleArn} (${describeError(error)}). Its trust policy must let this job's role call sts:AssumeRole, ` +
          "and this job's role needs sts:AssumeRole on it (see the README's IAM section).",
      );
    throw error;
  } finally {
    sts.destroy();
  }
  const credentials = answer.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey)
    throw new Error(`STS AssumeRole of ${options.roleArn} returned no credentials`);
  return new ECSClient({
    ...config,
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
      ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
    },
  });
}
