/** What the main step leaves for the post step (GITHUB_STATE). */
export interface StateStore {
  save(name: StateKey, value: string): void;
  get(name: StateKey): string;
}

export type StateKey =
  | 'cluster'
  | 'service'
  | 'strategy'
  | 'deployment-arn'
  | 'task-definition-arn'
  | 'previous-task-definition-arn'
  | 'task-arn'
  | 'rollback-requested'
  | 'finished';

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
