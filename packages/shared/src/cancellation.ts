/**
 * The runner cancels a job by sending SIGINT, then SIGTERM, then killing it. Turning the signals into
 * an AbortSignal lets every wait stop promptly and the action roll back before the kill.
 */
export interface Cancellation {
  signal: AbortSignal;
  dispose(): void;
}

export function cancelOnSignals(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Cancellation {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => controller.abort(new Error(`received ${name}`));
  for (const name of signals) process.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of signals) process.off(name, onSignal);
    },
  };
}
