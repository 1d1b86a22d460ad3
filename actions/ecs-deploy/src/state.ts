/**
 * What the main step leaves for the post step (GITHUB_STATE). The post step reads only this, never
 * the inputs: a task-definition file removed by a later step (or any input that no longer parses)
 * must not stop the cleanup.
 */
export interface StateStore {
  save(name: StateKey, value: string): void;
  get(name: StateKey): string;
}

export type StateKey =
  | 'region'
  | 'cluster'
  | 'service'
  | 'strategy'
  /** The wait's timeout in ms: also how long the post step waits for a rollback. */
  | 'timeout-ms'
  | 'rollback-on-failure'
  | 'deployment-arn'
  | 'task-definition-arn'
  | 'previous-task-definition-arn'
  | 'task-arn'
  | 'rollback-requested'
  | 'finished';

/** What cleanup needs, saved before the first change (none of these makes the post step act). */
export function saveCleanupContext(
  state: StateStore,
  context: {
    region: string;
    cluster: string;
    service?: string;
    strategy: string;
    timeoutMs: number;
    rollbackOnFailure: boolean;
    previousTaskDefinitionArn?: string;
  },
): void {
  state.save('region', context.region);
  state.save('cluster', context.cluster);
  if (context.service !== undefined) state.save('service', context.service);
  state.save('strategy', context.strategy);
  state.save('timeout-ms', String(context.timeoutMs));
  state.save('rollback-on-failure', String(context.rollbackOnFailure));
  if (context.previousTaskDefinitionArn)
    state.save('previous-task-definition-arn', context.previousTaskDefinitionArn);
}

/** The post step acts only when main saved a deployment (or task) and did not reach a verdict. */
export function needsCleanup(state: StateStore): boolean {
  return (
    state.get('finished') !== 'true' &&
    (state.get('deployment-arn') !== '' ||
      state.get('task-definition-arn') !== '' ||
      state.get('task-arn') !== '')
  );
}

export class MemoryState implements StateStore {
  readonly values = new Map<string, string>();
  save(name: StateKey, value: string): void {
    this.values.set(name, value);
  }
  get(name: StateKey): string {
    return this.values.get(name) ?? '';
  }
}

/** The runner's GITHUB_STATE, as the main and post steps' context gives it. */
export function stateStoreOf(context: {
  saveState(name: string, value: string): void;
  getState(name: string): string;
}): StateStore {
  return { save: (name, value) => context.saveState(name, value), get: (name) => context.getState(name) };
}
