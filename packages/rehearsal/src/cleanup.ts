// Everything the rehearsal starts is registered here and stopped in reverse order: on success, on
// failure half way, and on Ctrl-C, so no server or task outlives the command.
export class CleanupStack {
  private readonly steps: Array<{ name: string; stop: () => Promise<void> | void }> = [];
  private running: Promise<string[]> | undefined;

  add(name: string, stop: () => Promise<void> | void): void {
    this.steps.push({ name, stop });
  }

  /** Stops everything once, last started first; returns what failed to stop. */
  run(): Promise<string[]> {
    this.running ??= (async () => {
      const failures: string[] = [];
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step.stop();
        } catch (err) {
          failures.push(`${step.name}: ${(err as Error).message}`);
        }
      }
      return failures;
    })();
    return this.running;
  }
}
