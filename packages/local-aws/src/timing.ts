/** How long the emulator's simulated ECS takes for what ECS does not configure (simulated ms). */
export interface LocalAwsTiming {
  /** New tasks of a revision reach RUNNING (default 60 s). */
  scaleUpMs: number;
  /** One listener-rule rewrite, test or production (default 5 s). */
  shiftMs: number;
  /** Source tasks drained and stopped after success (default 30 s). */
  cleanUpMs: number;
  /** ROLLBACK_IN_PROGRESS to ROLLBACK_SUCCESSFUL: a weight flip back (default 10 s). */
  rollbackMs: number;
  /** STOP_REQUESTED to STOPPED (default 5 s). */
  stopMs: number;
  /** A failing revision's tasks fail one after another this far apart (default 10 s). */
  taskFailureIntervalMs: number;
  /** A one-off task (RunTask) from PROVISIONING to RUNNING; PENDING from half-way (default 5 s). */
  runTaskStartMs: number;
  /** A one-off task runs this long, then its essential container exits (default 20 s). */
  runTaskDurationMs: number;
}

export const DEFAULT_TIMING: LocalAwsTiming = {
  scaleUpMs: 60_000,
  shiftMs: 5_000,
  cleanUpMs: 30_000,
  rollbackMs: 10_000,
  stopMs: 5_000,
  taskFailureIntervalMs: 10_000,
  runTaskStartMs: 5_000,
  runTaskDurationMs: 20_000,
};
