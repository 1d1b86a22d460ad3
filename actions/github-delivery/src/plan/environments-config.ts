import { ConfigurationError } from '@ecs-ship/shared/errors';
import { parse } from 'yaml';
import { planDelivery } from './delivery-plan.js';
import { parseImageLines } from './image-names.js';

/** What promote.yml needs to know about the target environment and where its images come from. */
export interface PromotionPlan {
  environment: string;
  cluster: string;
  region: string;
  roleToAssume: string;
  /** The deploy role's session length (configure-aws-credentials' role-duration-seconds). */
  roleDurationSeconds: number;
  environmentUrl: string;
  production: boolean;
  /** The services and tasks as deploy.yml takes them (JSON is YAML). */
  services: string;
  tasks: string;
  /** Environments whose reviewers must approve, in order (at most two: GitHub jobs are static). */
  approvals: string[];
  requiredApprovals: number;
  source:
    | {
        kind: 'environment';
        environment: string;
        imagesFrom: string;
        imagesFromRole: string;
        /** `container=name` lines: the source service's `images:` (its containers' image names). */
        imageNames: string;
      }
    | { kind: 'images'; images: string };
}

const ENVIRONMENT_KEYS = [
  'cluster',
  'region',
  'role-to-assume',
  'role-duration-seconds',
  'url',
  'production',
  'services',
  'tasks',
  'source',
  'source-service',
  'source-read-role',
  'approvals',
  'required-approvals',
];

/**
 * Reads the environments file (one place for every environment's cluster, role, services and
 * approvals) and plans the promotion into `target`: its images are those running in the source
 * environment, or the digests given explicitly.
 */
export function planPromotion(
  configText: string,
  configPath: string,
  target: string,
  sourceInput: string,
  options: { validateOnly?: boolean } = {},
): PromotionPlan {
  const environments = readEnvironments(configText, configPath);
  const settings = environments.get(target);
  if (settings === undefined) {
    throw new ConfigurationError(
      `Input "environment": "${target}" is not in ${configPath} (it has ${[...environments.keys()].join(', ')}).`,
    );
  }
  const where = `${configPath}: environments.${target}`;
  const text = (key: string, required = true): string => {
    const value = settings[key];
    if (value === undefined || value === null || value === '') {
      if (required) throw new ConfigurationError(`${where}.${key} is required.`);
      return '';
    }
    if (typeof value === 'object') throw new ConfigurationError(`${where}.${key} must be a value.`);
    return String(value);
  };
  const services = JSON.stringify(settings.services ?? []);
  const tasks = JSON.stringify(settings.tasks ?? []);
  const approvals = toList(settings.approvals, `${where}.approvals`);
  if (approvals.length > 2) {
    throw new ConfigurationError(
      `${where}.approvals lists ${approvals.length} environments; at most 2 are supported.`,
    );
  }
  const requiredApprovals = Number(settings['required-approvals'] ?? Math.min(approvals.length, 1));
  if (!Number.isInteger(requiredApprovals) || requiredApprovals < 0 || requiredApprovals > 10) {
    throw new ConfigurationError(`${where}.required-approvals must be a whole number from 0 to 10.`);
  }
  if (requiredApprovals > 1 && approvals.length < 2) {
    throw new ConfigurationError(
      `${where}: ${requiredApprovals} approvals need two approval environments in sequence (GitHub releases a job on any one reviewer).`,
    );
  }
  // Validating the file (a pull request): an environment without a source is deployed from the
  // build's digests, which stand in here as placeholders for the names its entries use.
  const roleDurationSeconds = Number(settings['role-duration-seconds'] ?? 3600);
  // STS's bounds for AssumeRoleWithWebIdentity; the role's MaxSessionDuration must allow it too.
  if (!Number.isInteger(roleDurationSeconds) || roleDurationSeconds < 900 || roleDurationSeconds > 43200) {
    throw new ConfigurationError(
      `${where}.role-duration-seconds must be a whole number from 900 to 43200 seconds.`,
    );
  }
  const source =
    options.validateOnly === true && sourceInput.trim() === '' && typeof settings.source !== 'string'
      ? { kind: 'images' as const, images: placeholderImages(imageNamesOf(settings, undefined)) }
      : planSource(sourceInput, environments, settings, where, configPath);
  // Deploy-time validation now, before any approval is asked for: a typo must not wait for reviewers.
  const sampleImages =
    source.kind === 'images'
      ? source.images
      : placeholderImages(imageNamesOf(settings, environments.get(source.environment)));
  planDelivery({ images: sampleImages, services, tasks });
  return {
    environment: target,
    cluster: text('cluster'),
    region: text('region'),
    roleToAssume: text('role-to-assume'),
    roleDurationSeconds,
    environmentUrl: text('url', false),
    production: settings.production === true,
    services,
    tasks,
    approvals,
    requiredApprovals,
    source,
  };
}

type Settings = Record<string, unknown>;

function readEnvironments(configText: string, configPath: string): Map<string, Settings> {
  let document: unknown;
  try {
    document = parse(configText);
  } catch (error) {
    throw new ConfigurationError(`${configPath} does not parse as YAML: ${(error as Error).message}`);
  }
  const environments = (document as { environments?: unknown } | null)?.environments;
  if (typeof environments !== 'object' || environments === null || Array.isArray(environments)) {
    throw new ConfigurationError(`${configPath} must have a mapping "environments:" of name → settings.`);
  }
  const result = new Map<string, Settings>();
  for (const [name, settings] of Object.entries(environments)) {
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
      throw new ConfigurationError(`${configPath}: environments.${name} must be a mapping of settings.`);
    }
    for (const key of Object.keys(settings)) {
      if (!ENVIRONMENT_KEYS.includes(key)) {
        throw new ConfigurationError(
          `${configPath}: environments.${name} has unknown setting "${key}"; known: ${ENVIRONMENT_KEYS.join(', ')}.`,
        );
      }
    }
    result.set(name, settings as Settings);
  }
  return result;
}

function planSource(
  sourceInput: string,
  environments: Map<string, Settings>,
  settings: Settings,
  where: string,
  configPath: string,
): PromotionPlan['source'] {
  const given = sourceInput.trim();
  if (given.includes('='))
    return {
      kind: 'images',
      images: parseImageLines(given, 'source')
        .map((l) => `${l.name}=${l.uri}`)
        .join('\n'),
    };
  const name = given !== '' ? given : typeof settings.source === 'string' ? settings.source : '';
  if (name === '') {
    throw new ConfigurationError(
      `Input "source" is empty and ${where}.source is not set: name the environment to promote from, or give NAME=image@sha256:… lines.`,
    );
  }
  const sourceSettings = environments.get(name);
  if (sourceSettings === undefined) {
    throw new ConfigurationError(`Input "source": environment "${name}" is not in ${configPath}.`);
  }
  const sourceServices = Array.isArray(sourceSettings.services)
    ? (sourceSettings.services as Settings[])
    : [];
  const serviceName =
    typeof settings['source-service'] === 'string'
      ? settings['source-service']
      : typeof sourceServices[0]?.service === 'string'
        ? sourceServices[0].service
        : '';
  if (serviceName === '') {
    throw new ConfigurationError(
      `${where}.source-service is required: environment "${name}" lists no services.`,
    );
  }
  if (typeof sourceSettings.cluster !== 'string' || sourceSettings.cluster === '') {
    throw new ConfigurationError(
      `${configPath}: environments.${name}.cluster is required to read its images.`,
    );
  }
  return {
    kind: 'environment',
    environment: name,
    imagesFrom: `${sourceSettings.cluster}/${serviceName}`,
    imagesFromRole: typeof settings['source-read-role'] === 'string' ? settings['source-read-role'] : '',
    imageNames: containerImageNames(sourceServices.find((entry) => entry.service === serviceName)),
  };
}

/**
 * The source service's containers and the image names they run (`{ app: api }`, or `[api]` for a
 * container named as its image), which source-check needs: GitHub records images by these names,
 * ECS reports containers. '' when the entry maps none (every container is its image's name).
 */
function containerImageNames(entry: Settings | undefined): string {
  const mapping = entry?.images;
  const pairs: Array<[string, string]> = Array.isArray(mapping)
    ? mapping.map((name) => [String(name), String(name)])
    : mapping !== null && typeof mapping === 'object'
      ? Object.entries(mapping as Record<string, unknown>).map(([container, name]) => [
          container,
          String(name),
        ])
      : [];
  return pairs.map(([container, name]) => `${container}=${name}`).join('\n');
}

/** Image names the target's entries refer to; the promotion resolves them from the source service. */
function imageNamesOf(settings: Settings, source: Settings | undefined): string[] {
  const names = new Set<string>();
  for (const list of [settings.services, settings.tasks]) {
    if (!Array.isArray(list)) continue;
    for (const entry of list as Array<{ images?: unknown; service?: unknown }>) {
      const mapping = entry.images;
      if (Array.isArray(mapping)) mapping.forEach((name) => names.add(String(name)));
      else if (typeof mapping === 'object' && mapping !== null)
        Object.values(mapping).forEach((n) => names.add(String(n)));
    }
  }
  if (names.size === 0)
    names.add(String((source?.services as Settings[] | undefined)?.[0]?.service ?? 'app'));
  return [...names];
}

function placeholderImages(names: string[]): string {
  return names.map((name) => `${name}=example.invalid/placeholder@sha256:${'0'.repeat(64)}`).join('\n');
}

function toList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string')
    return value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  if (Array.isArray(value)) return value.map(String);
  throw new ConfigurationError(`${where} must be a list of environment names.`);
}
