import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  type ECRClient,
  type ImageTagMutability,
  type ImageTagMutabilityExclusionFilter,
  type Repository,
} from '@aws-sdk/client-ecr';
import { ConfigurationError } from '@ecs-ship/shared/errors';

/** ECR's repository name rule (CreateRepository's pattern): namespaces with `/`, 2-256 characters. */
const REPOSITORY_NAME = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/**
 * Private ECR registry hosts: `<account>.dkr.ecr.<region>.amazonaws.com` (also `ecr-fips`, the China
 * partition's `.amazonaws.com.cn`) and the dual-stack `<account>.dkr-ecr.<region>.on.aws`.
 */
const ECR_HOST =
  /^(\d{12})\.(?:dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?|dkr-ecr(?:-fips)?\.([a-z0-9-]+)\.on\.aws)$/;
const ACCOUNT_ID = /^\d{12}$/;
/** ECR's limits for a tag-mutability exclusion filter (CreateRepository). */
const EXCLUSION_FILTER = /^[0-9a-zA-Z._*-]{1,128}$/;
const MAX_EXCLUSION_FILTERS = 5;

const NAME_RULE =
  'an ECR repository name (2-256 characters: lowercase letters and digits, separated by single ".", "_" or "-", namespaces with "/", e.g. ml/api) or its full URI (123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/api)';

export interface RepositoryRef {
  /** The repository name inside the registry (`ml/api`). */
  name: string;
  /** The registry host, when a full URI was given. */
  host?: string;
  /** The account that owns the registry (from the URI). */
  registryId?: string;
  /** The registry's region (from the URI). */
  region?: string;
}

/**
 * The `repository` input: `ml/api` or `123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/api`. A URI
 * names an ECR registry; another registry's host goes in the `registry` input, with a name here.
 */
export function parseRepository(input: string): RepositoryRef {
  const value = input.trim();
  const fail = (why: string): never => {
    throw new ConfigurationError(
      `Input "repository" must be ${NAME_RULE}${why}; got ${JSON.stringify(input)}.`,
    );
  };
  if (value === '') fail('');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) fail(', without a scheme such as https://');
  const slash = value.indexOf('/');
  const first = slash > 0 ? value.slice(0, slash) : '';
  // Docker's rule: a first component with a dot or a port, or `localhost`, is a registry host.
  const host = /[.:]/.test(first) || first === 'localhost' ? first : undefined;
  const name = host === undefined ? value : value.slice(slash + 1);
  if (/[@]|:[^/]*$/.test(name)) {
    fail(', without a tag or digest (the tags come from the "tags" input)');
  }
  let registryId: string | undefined;
  let region: string | undefined;
  if (host !== undefined) {
    const ecr = ECR_HOST.exec(host);
    if (!ecr) {
      fail(
        `; ${JSON.stringify(host)} is not an ECR registry host (for another registry, put its host in the "registry" input and the repository name here)`,
      );
    }
    registryId = ecr?.[1];
    region = ecr?.[2] ?? ecr?.[3];
  }
  if (!REPOSITORY_NAME.test(name)) fail('');
  return {
    name,
    ...(host !== undefined ? { host } : {}),
    ...(registryId !== undefined ? { registryId } : {}),
    ...(region !== undefined ? { region } : {}),
  };
}

export interface RegistryLogin {
  /** The registry host the token is for (GetAuthorizationToken's proxyEndpoint, without scheme). */
  registry: string;
  username: string;
  /** A secret: register it with the runner's masking before anything can print it. */
  password: string;
  expiresAt?: Date;
}

/**
 * GetAuthorizationToken: base64 `AWS:<password>`, valid for 12 hours on every ECR registry the
 * caller may reach. `registryId` (an account ID) only chooses which registry's endpoint is named.
 */
export async function ecrLogin(ecr: Pick<ECRClient, 'send'>, registryId?: string): Promise<RegistryLogin> {
  if (registryId !== undefined && !ACCOUNT_ID.test(registryId)) {
    // A bug in the caller, not the user's input: parseRepository only yields 12-digit IDs.
    throw new Error(
      `ecrLogin takes a 12-digit AWS account ID as the registry; got ${JSON.stringify(registryId)}.`,
    );
  }
  const response = await ecr.send(
    // Deprecated in the model (the token is not scoped by it) but it still picks the proxyEndpoint.
    new GetAuthorizationTokenCommand(registryId ? { registryIds: [registryId] } : {}),
  );
  const data = response.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new Error('ECR GetAuthorizationToken answered without an authorization token or a proxy endpoint.');
  }
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Never quote the token: the message says only what shape was wrong.
  if (colon <= 0 || colon === decoded.length - 1) {
    throw new Error('ECR GetAuthorizationToken answered a token that does not decode to "user:password".');
  }
  let registry: string;
  try {
    registry = new URL(data.proxyEndpoint).host;
  } catch {
    registry = data.proxyEndpoint.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  }
  return {
    registry,
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
    ...(data.expiresAt ? { expiresAt: new Date(data.expiresAt) } : {}),
  };
}

export interface EnsureRepositoryOptions {
  /** The `create-repository` input. */
  create: boolean;
  /** Tag patterns this action rewrites (`*` wildcards): excluded from tag immutability. */
  mutableTags: string[];
  /** The registry's account, when the repository input was a URI of another account's registry. */
  registryId?: string;
}

export interface EnsuredRepository {
  created: boolean;
  uri?: string;
  tagMutability?: ImageTagMutability;
  exclusionFilters: string[];
}

/**
 * The repository must exist before anything is built or uploaded. With `create`, a missing one is
 * created scanning on push with immutable tags except the patterns this action moves
 * (IMMUTABLE_WITH_EXCLUSION). An existing repository whose immutable tags would refuse one of those
 * patterns fails here, before any build, rather than on the second push.
 */
export async function ensureRepository(
  ecr: Pick<ECRClient, 'send'>,
  name: string,
  options: EnsureRepositoryOptions,
): Promise<EnsuredRepository> {
  const existing = await describeRepository(ecr, name, options.registryId);
  if (existing) return checkExisting(existing, name, options.mutableTags);
  if (!options.create) {
    throw new ConfigurationError(
      `Input "repository": ECR has no repository "${name}"${options.registryId ? ` in account ${options.registryId}` : ''}; create it (infrastructure code) or set "create-repository: true".`,
    );
  }
  const mutability = tagMutability(options.mutableTags);
  try {
    const created = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        imageScanningConfiguration: { scanOnPush: true },
        ...mutability,
        ...(options.registryId ? { registryId: options.registryId } : {}),
      }),
    );
    return {
      created: true,
      ...(created.repository?.repositoryUri ? { uri: created.repository.repositoryUri } : {}),
      tagMutability: mutability.imageTagMutability,
      exclusionFilters: (mutability.imageTagMutabilityExclusionFilters ?? []).map((f) => f.filter ?? ''),
    };
  } catch (error) {
    // Another job created it between our describe and create: use theirs, with the same checks.
    if (errorName(error) !== 'RepositoryAlreadyExistsException') throw error;
    const raced = await describeRepository(ecr, name, options.registryId);
    if (!raced) throw error;
    return checkExisting(raced, name, options.mutableTags);
  }
}

async function describeRepository(
  ecr: Pick<ECRClient, 'send'>,
  name: string,
  registryId: string | undefined,
): Promise<Repository | undefined> {
  try {
    const found = await ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: [name], ...(registryId ? { registryId } : {}) }),
    );
    const repository = found.repositories?.find((r) => r.repositoryName === name);
    if (!repository) {
      throw new Error(`ECR DescribeRepositories answered without the repository "${name}" it was asked for.`);
    }
    return repository;
  } catch (error) {
    if (errorName(error) === 'RepositoryNotFoundException') return undefined;
    throw error;
  }
}

function tagMutability(mutableTags: string[]): {
  imageTagMutability: ImageTagMutability;
  imageTagMutabilityExclusionFilters?: ImageTagMutabilityExclusionFilter[];
} {
  const patterns = [...new Set(mutableTags)];
  if (patterns.length === 0) return { imageTagMutability: 'IMMUTABLE' };
  const invalid = patterns.filter((pattern) => !EXCLUSION_FILTER.test(pattern));
  if (invalid.length > 0) {
    throw new ConfigurationError(
      `Input "tags": ${invalid.map((p) => JSON.stringify(p)).join(', ')} cannot be an ECR tag-mutability exclusion filter (1-128 of letters, digits, ".", "_", "-", "*"), which "create-repository: true" needs for tags that move.`,
    );
  }
  if (patterns.length > MAX_EXCLUSION_FILTERS) {
    throw new ConfigurationError(
      `Input "create-repository": the tags this action moves (${patterns.join(', ')}) need ${patterns.length} ECR tag-mutability exclusion filters; ECR allows ${MAX_EXCLUSION_FILTERS}. Use fewer moving tags in "tags" (templates without {sha}), or create the repository yourself.`,
    );
  }
  return {
    imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
    imageTagMutabilityExclusionFilters: patterns.map((filter) => ({ filterType: 'WILDCARD', filter })),
  };
}

function checkExisting(repository: Repository, name: string, mutableTags: string[]): EnsuredRepository {
  const mutability = repository.imageTagMutability;
  const filters = (repository.imageTagMutabilityExclusionFilters ?? [])
    .map((f) => f.filter)
    .filter((f): f is string => typeof f === 'string');
  const refused = mutableTags.filter((pattern) => !tagPatternMutable(pattern, mutability, filters));
  if (refused.length > 0) {
    throw new ConfigurationError(
      `Input "repository": ECR repository "${name}" has ${mutability}${filters.length > 0 ? ` (mutable: ${filters.join(', ')})` : ''} tags, but this action rewrites ${refused.join(', ')} on every build and ECR would refuse the second push. Add exclusion filters for them to the repository (imageTagMutability IMMUTABLE_WITH_EXCLUSION) or drop those templates from "tags" (the registry cache's tags move too: cache: none avoids them).`,
    );
  }
  return {
    created: false,
    ...(repository.repositoryUri ? { uri: repository.repositoryUri } : {}),
    ...(mutability ? { tagMutability: mutability } : {}),
    exclusionFilters: filters,
  };
}

/**
 * Whether every tag a pattern like `latest*` can produce may be rewritten. A filter matching the
 * pattern's own text (its `*` read literally) covers every expansion of it.
 */
function tagPatternMutable(
  pattern: string,
  mutability: ImageTagMutability | undefined,
  filters: string[],
): boolean {
  const covered = filters.some((filter) => wildcard(filter).test(pattern));
  switch (mutability) {
    case undefined:
    case 'MUTABLE':
      return true;
    case 'MUTABLE_WITH_EXCLUSION':
      // The filters name the immutable tags here: any overlap may be refused.
      return !filters.some((filter) => wildcard(filter).test(pattern) || wildcard(pattern).test(filter));
    case 'IMMUTABLE_WITH_EXCLUSION':
      return covered;
    default:
      return false;
  }
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
