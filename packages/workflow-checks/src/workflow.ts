// The parts of a workflow file or action.yml the rules read: triggers, jobs, steps, declared inputs.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { YamlFile } from './yaml-file.js';
import { entries, field, items, text, value, type Entry } from './yaml-node.js';

export type FileKind = 'workflow' | 'action';

export interface CheckedFile {
  kind: FileKind;
  yaml: YamlFile;
}

export interface Job {
  id: string;
  /** The job's key: findings about the job as a whole point here. */
  keyNode: Node;
  node: Node | null;
}

export interface Step {
  /** Undefined for a composite action's steps. */
  job: Job | undefined;
  node: Node;
}

export interface Trigger {
  name: string;
  /** Where the trigger is named (its key, or the scalar in `on: push` / `on: [push]`). */
  nameNode: Node;
  /** Its settings; null when it has none (`on: push`, `workflow_call:`). */
  settings: Node | null;
}

export function triggersOf(file: YamlFile): Trigger[] {
  const on = value(file.contents, 'on');
  if (isScalar(on)) return [{ name: String(on.value), nameNode: on, settings: null }];
  if (isSeq(on)) {
    return items(on).flatMap((item) => {
      const name = text(item);
      return name === undefined ? [] : [{ name, nameNode: item, settings: null }];
    });
  }
  return entries(on).map((entry) => ({ name: entry.key, nameNode: entry.keyNode, settings: entry.value }));
}

export function trigger(file: YamlFile, name: string): Trigger | undefined {
  return triggersOf(file).find((candidate) => candidate.name === name);
}

export function jobsOf(file: YamlFile): Job[] {
  return entries(value(file.contents, 'jobs')).map((entry) => ({
    id: entry.key,
    keyNode: entry.keyNode,
    node: entry.value,
  }));
}

export function jobSteps(job: Job): Step[] {
  return items(value(job.node, 'steps'))
    .filter((node) => isMap(node))
    .map((node) => ({ job, node }));
}

/** A composite action's steps; other actions (node, docker) have none. */
export function actionSteps(file: YamlFile): Step[] {
  const runs = value(file.contents, 'runs');
  if (text(value(runs, 'using')) !== 'composite') return [];
  return items(value(runs, 'steps'))
    .filter((node) => isMap(node))
    .map((node) => ({ job: undefined, node }));
}

export function stepsOf(file: CheckedFile): Step[] {
  return file.kind === 'action' ? actionSteps(file.yaml) : jobsOf(file.yaml).flatMap(jobSteps);
}

export interface DeclaredParameter {
  name: string;
  /** A caller must give it. */
  required: boolean;
  hasDefault: boolean;
  type: string | undefined;
}

/**
 * Inputs (or secrets) declared under a mapping such as `on.workflow_call.inputs` or an action's `inputs`.
 * GitHub makes a caller give a reusable workflow's `required: true` input even when it has a default (the
 * default is never used: actionlint says so too), while an action's `required: true` with a default is
 * satisfied by the default: `defaultSatisfies` says which of the two this is.
 */
export function declaredParameters(node: unknown, defaultSatisfies: boolean): DeclaredParameter[] {
  return entries(node).map((entry: Entry) => {
    const hasDefault = field(entry.value, 'default') !== undefined;
    return {
      name: entry.key,
      required: text(value(entry.value, 'required')) === 'true' && !(defaultSatisfies && hasDefault),
      hasDefault,
      type: text(value(entry.value, 'type')),
    };
  });
}
