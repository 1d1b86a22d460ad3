// Runs every rule over the workflows in the given directories and every local workflow and action they use.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { compareFindings, type Finding } from './finding.js';
import { Repository } from './repository.js';
import type { Rule } from './rule.js';
import { RULES } from './rules.js';
import { jobsOf, stepsOf, type CheckedFile } from './workflow.js';
import { text, value } from './yaml-node.js';

export interface CheckOptions {
  root: string;
  /** Directories of workflows to check, relative to the root (`.github/workflows`). */
  workflowDirectories: readonly string[];
  /** OWNER/REPO of the checked repository, so `OWNER/REPO/path@ref` is checked against the local files. */
  selfRepository?: string;
  rules?: readonly Rule[];
}

export interface CheckResult {
  /** Every file checked, relative to the root: the workflows, then what they use. */
  checked: string[];
  findings: Finding[];
}

/** A mistake in how the checks were asked for (not a finding): the CLI exits 2 with it. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export function checkRepository(options: CheckOptions): CheckResult {
  const repository = new Repository(options.root, options.selfRepository);
  const queue: CheckedFile[] = workflowPaths(repository, options.workflowDirectories).flatMap((path) => {
    const yaml = repository.read(path);
    return yaml ? [{ kind: 'workflow' as const, yaml }] : [];
  });
  const seen = new Set(queue.map((file) => file.yaml.path));
  const findings: Finding[] = [];
  for (let index = 0; index < queue.length; index++) {
    const file = queue[index] as CheckedFile;
    const parseFindings = file.yaml.parseFindings();
    if (parseFindings.length > 0) {
      findings.push(...parseFindings);
      continue;
    }
    for (const rule of options.rules ?? RULES) findings.push(...rule.check(file, repository));
    for (const uses of usesValues(file)) {
      const target = repository.target(uses);
      if (!target?.file || seen.has(target.file.path)) continue;
      seen.add(target.file.path);
      queue.push({ kind: target.kind, yaml: target.file });
    }
  }
  return { checked: queue.map((file) => file.yaml.path), findings: findings.sort(compareFindings) };
}

function workflowPaths(repository: Repository, directories: readonly string[]): string[] {
  const paths = directories.flatMap((directory) => {
    const absolute = repository.absolute(directory);
    if (!existsSync(absolute) || !statSync(absolute).isDirectory()) {
      throw new ConfigurationError(`workflow directory ${directory} does not exist under ${repository.root}`);
    }
    return readdirSync(absolute)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => posix.join(posix.normalize(directory), name));
  });
  if (paths.length === 0) {
    // Nothing checked must not read as "all passed".
    throw new ConfigurationError(
      `no workflow files (*.yml, *.yaml) in ${directories.join(', ')} under ${repository.root}`,
    );
  }
  return paths;
}

function usesValues(file: CheckedFile): string[] {
  const jobUses =
    file.kind === 'workflow' ? jobsOf(file.yaml).map((job) => text(value(job.node, 'uses'))) : [];
  const stepUses = stepsOf(file).map((step) => text(value(step.node, 'uses')));
  return [...jobUses, ...stepUses].filter((uses): uses is string => uses !== undefined);
}
