import { ConfigurationError } from '@ecs-ship/shared/errors';
import { parse } from 'yaml';
import { EntryReader } from './entry-reader.js';
import { imageAssignments, parseImageLines, type ImageLine } from './image-names.js';

/** One matrix entry of deploy.yml's deploy job: every key a string, '' when unset (the action's default). */
export type ServiceEntry = Record<
  (typeof SERVICE_KEYS)[number] | 'order' | 'images' | 'pause' | 'gate',
  string
>;
export type TaskEntry = Record<(typeof TASK_KEYS)[number] | 'order' | 'images', string>;

export interface DeliveryPlan {
  services: ServiceEntry[];
  tasks: TaskEntry[];
}

const STRATEGIES = ['rolling', 'canary', 'linear', 'blue-green'] as const;

/** Settings a service entry may carry, named as the action inputs they become. */
const SERVICE_KEYS = [
  'service',
  'strategy',
  'canary-percent',
  'canary-bake-minutes',
  'linear-step-percent',
  'linear-step-bake-minutes',
  'bake-minutes',
  'alarms',
  'desired-count',
  'environment',
  'gate-timeout',
  'timeout',
  'load-balancer',
  'error-tolerance',
  'latency-tolerance',
  'false-rollback-rate',
  'max-duration',
  'smoke-checks',
  'smoke-url',
  'test-url',
] as const;

const TASK_KEYS = [
  'name',
  'service',
  'task-definition-arn',
  'command',
  'command-container',
  'subnets',
  'security-groups',
  'assign-public-ip',
  'launch-type',
  'capacity-provider-strategy',
  'timeout',
] as const;

/**
 * Validates every service and task of a deploy before the first one changes, so that a typo in the
 * third service cannot leave the first two deployed, and turns them into the matrices the workflow
 * runs in order.
 */
export function planDelivery(source: { images: string; services: string; tasks: string }): DeliveryPlan {
  const images = parseImageLines(source.images, 'images');
  const serviceItems = parseList(source.services, 'services');
  if (serviceItems.length === 0)
    throw new ConfigurationError('Input "services" must list at least one service.');
  const services = serviceItems.map((item, index) => planService(item, index, images));
  refuseDuplicates(
    services.map((entry) => entry.service),
    'services',
    'service',
  );
  const tasks = parseList(source.tasks, 'tasks').map((item, index) => planTask(item, index, images));
  refuseDuplicates(
    tasks.map((entry) => entry.name),
    'tasks',
    'name',
  );
  return { services, tasks };
}

function planService(item: unknown, index: number, images: ImageLine[]): ServiceEntry {
  const where = `services[${index}]`;
  const fields = entryFields(item, where, [...SERVICE_KEYS, 'images', 'gate']);
  const label = fields.service ? `${where} (${fields.service})` : where;
  const read = entryReader(fields, label);
  const service = read.required('service');
  const strategy = read.enumeration('strategy', STRATEGIES, 'rolling');
  const stepped = strategy === 'canary' || strategy === 'linear';
  const gate = read.boolean('gate', stepped);
  if (gate && !stepped) {
    read.fail(
      'gate',
      `false for ${strategy} (canary-gate judges canary and linear traffic)`,
      fields.gate ?? '',
    );
  }
  if (gate && !fields['load-balancer']) {
    throw new ConfigurationError(
      `${label}: "load-balancer" (app/NAME/ID) is required with the gate; set "gate: false" to rely on alarms alone.`,
    );
  }
  const testUrl = read.optional('test-url');
  if (testUrl !== undefined && strategy !== 'blue-green') {
    read.fail('test-url', 'set only for blue-green (the test listener)', testUrl);
  }
  for (const name of ['smoke-url', 'test-url'] as const) {
    const url = read.optional(name);
    if (url !== undefined && !/^https?:\/\/[^\s]+$/.test(url)) read.fail(name, 'an http(s) URL', url);
  }
  if ((fields['smoke-url'] || testUrl) && !fields['smoke-checks']) {
    throw new ConfigurationError(`${label}: "smoke-checks" is required with "smoke-url" or "test-url".`);
  }
  if (fields['smoke-checks'] && !fields['smoke-url'] && !testUrl) {
    throw new ConfigurationError(`${label}: "smoke-checks" needs "smoke-url" or "test-url" to run against.`);
  }
  validateStrategySettings(read, strategy);
  validateEnvironmentLines(read);
  const entry = Object.fromEntries(SERVICE_KEYS.map((key) => [key, fields[key] ?? ''])) as ServiceEntry;
  entry.service = service;
  entry.strategy = strategy;
  entry.order = String(index + 1);
  entry.images = imageAssignments(item, label, images);
  entry.gate = String(gate);
  entry.pause = gate || testUrl !== undefined ? 'pause' : 'none';
  return entry;
}

function planTask(item: unknown, index: number, images: ImageLine[]): TaskEntry {
  const where = `tasks[${index}]`;
  const fields = entryFields(item, where, [...TASK_KEYS, 'images']);
  const label = fields.name ? `${where} (${fields.name})` : where;
  const read = entryReader(fields, label);
  read.required('name');
  if (!fields.service && !fields['task-definition-arn']) {
    throw new ConfigurationError(
      `${label}: "service" (whose revision runs) or "task-definition-arn" is required.`,
    );
  }
  const entry = Object.fromEntries(TASK_KEYS.map((key) => [key, fields[key] ?? ''])) as TaskEntry;
  entry.order = String(index + 1);
  entry.images = imageAssignments(item, label, images);
  return entry;
}

/**
 * ecs-deploy's `environment` shape, checked here so that a typo in a later service cannot stop the
 * run after earlier services changed (ecs-deploy still applies its credential refusal).
 */
function validateEnvironmentLines(read: EntryReader): void {
  const value = read.optional('environment');
  if (value === undefined) return;
  for (const line of value.split('\n').map((text) => text.trim())) {
    if (line !== '' && !/^[A-Za-z0-9_-]+\.[A-Za-z_][A-Za-z0-9_]*=/.test(line))
      read.fail('environment', 'lines of container.NAME=value', line);
  }
}

/** The numeric limits ECS enforces, checked here so that no service is deployed before a later one is refused. */
function validateStrategySettings(read: EntryReader, strategy: (typeof STRATEGIES)[number]): void {
  const tenth = (name: string, min: number, max: number): void => {
    const value = read.number(name, undefined, { min, max });
    if (value !== undefined && Math.abs(value * 10 - Math.round(value * 10)) > 1e-9) {
      read.fail(name, `a multiple of 0.1 from ${min} to ${max}`, String(value));
    }
  };
  tenth('canary-percent', 0.1, 100);
  tenth('linear-step-percent', 3, 100);
  for (const name of ['canary-bake-minutes', 'linear-step-bake-minutes', 'bake-minutes']) {
    read.integer(name, undefined, { min: 0, max: 1440 });
  }
  read.integer('desired-count', undefined, { min: 0 });
  for (const name of ['timeout', 'gate-timeout', 'max-duration']) read.duration(name, undefined);
  const misplaced: Record<string, readonly string[]> = {
    'canary-percent': ['canary'],
    'canary-bake-minutes': ['canary'],
    'linear-step-percent': ['linear'],
    'linear-step-bake-minutes': ['linear'],
  };
  for (const [name, strategies] of Object.entries(misplaced)) {
    const value = read.optional(name);
    if (value !== undefined && !strategies.includes(strategy)) {
      read.fail(
        name,
        `set only with strategy ${strategies.join(' or ')} (this service is ${strategy})`,
        value,
      );
    }
  }
}

function parseList(text: string, input: string): unknown[] {
  if (text.trim() === '') return [];
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new ConfigurationError(
      `Input "${input}" must be a YAML list; it does not parse: ${(error as Error).message}`,
    );
  }
  if (!Array.isArray(value)) throw new ConfigurationError(`Input "${input}" must be a YAML list of entries.`);
  return value;
}

/** The entry's settings as the strings an action input receives; unknown keys are refused. */
function entryFields(
  item: unknown,
  where: string,
  allowed: readonly string[],
): Partial<Record<string, string>> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new ConfigurationError(`${where} must be a mapping of settings; got ${JSON.stringify(item)}.`);
  }
  const fields: Partial<Record<string, string>> = {};
  for (const [key, value] of Object.entries(item)) {
    if (!allowed.includes(key)) {
      throw new ConfigurationError(`${where}: unknown setting "${key}"; known: ${allowed.join(', ')}.`);
    }
    if (key === 'images') continue;
    fields[key] = stringify(value, `${where}.${key}`);
  }
  return fields;
}

function stringify(value: unknown, where: string): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((part) => stringify(part, where)).join(', ');
  if (typeof value === 'object') {
    throw new ConfigurationError(
      `${where} must be a value or a list of values; got ${JSON.stringify(value)}.`,
    );
  }
  return String(value).trim();
}

function entryReader(fields: Partial<Record<string, string>>, label: string): EntryReader {
  return new EntryReader(fields, label);
}

function refuseDuplicates(names: string[], input: string, key: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new ConfigurationError(`Input "${input}" names ${key} "${name}" twice.`);
    seen.add(name);
  }
}
