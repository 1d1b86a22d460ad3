// Follows the step runner's events: one terminal line per step (and per gate judgement), with the
// simulated time, and the real and simulated start and end of every step for the report and the
// overhead benchmark.
import type { Clock } from '@ecs-ship/shared/clock';
import type { RunnerEvent, WorkflowRun } from '@ecs-ship/workflow-runner/types';

export interface StepTiming {
  workflow: string;
  job: string;
  step: string;
  uses?: string;
  conclusion: string;
  simStart: number;
  simEnd: number;
  realStart: number;
  realEnd: number;
  summary: string;
  outputs: Record<string, string>;
}

/** Lines of a gate's or a deploy's log worth a person's attention while it runs. */
const LIVE_LINE =
  /^(Decision:|Promote:|Roll(ing)? back|Traffic roles:|Waiting to learn|Gate |Period |Leaning|::error::|::warning::|ECS says|\[\d{2}:\d{2}\] canary |Deployment [A-Z_]+)/;

export class StepRecorder {
  readonly steps: StepTiming[] = [];
  private readonly open = new Map<string, { simStart: number; realStart: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly print: (line: string) => void,
  ) {}

  /** The time as the rehearsal shows it: simulated wall clock. */
  stamp(at = this.clock.now()): string {
    return new Date(at).toISOString().slice(11, 19);
  }

  handler(workflow: string): (event: RunnerEvent) => void {
    return (event) => {
      const key = (job: string, step: string) => `${workflow}|${job}|${step}`;
      if (event.type === 'step-start') {
        this.open.set(key(event.job, event.step), { simStart: this.clock.now(), realStart: Date.now() });
      } else if (event.type === 'step-end') {
        const started = this.open.get(key(event.job, event.step));
        const simEnd = this.clock.now();
        const simStart = started?.simStart ?? simEnd;
        const realEnd = Date.now();
        const realStart = started?.realStart ?? realEnd;
        this.steps.push({
          workflow,
          job: event.job,
          step: event.step,
          conclusion: event.conclusion,
          simStart,
          simEnd,
          realStart,
          realEnd,
          summary: '',
          outputs: event.outputs,
        });
        if (event.conclusion === 'skipped') return;
        const mark = event.conclusion === 'success' ? '✓' : event.conclusion === 'failure' ? '✗' : '·';
        const simulated = formatDuration(simEnd - simStart);
        this.print(
          `${this.stamp()}  ${mark} ${workflow} › ${jobLabel(event.job)} › ${event.step}  (${simulated} simulated, ${((realEnd - realStart) / 1000).toFixed(1)} s real)`,
        );
      } else if (event.type === 'approval') {
        this.print(
          `${this.stamp()}  ⏸ ${workflow} › ${jobLabel(event.job)}: environment "${event.environment}" ${event.approved ? 'approved' : 'rejected'} by ${event.by} (the rehearsal approves, as a reviewer would)`,
        );
      } else if (event.type === 'log') {
        const line = event.line.trim();
        // Every action says the clock switch is on; the rehearsal said so once, at the start.
        if (LIVE_LINE.test(line) && !line.includes('ECS_SHIP_CLOCK is set'))
          this.print(`${this.stamp()}      ${event.step}: ${commandText(line)}`);
      }
    };
  }

  /** Attaches each finished step's summary and `uses` from the run, matching by job and step name in order. */
  complete(workflow: string, run: WorkflowRun): void {
    const pending = this.steps.filter((step) => step.workflow === workflow && step.summary === '');
    for (const job of Object.values(run.jobs)) {
      for (const step of job.steps) {
        const timing = pending.find(
          (candidate) =>
            candidate.job === job.id && candidate.step === step.name && candidate.uses === undefined,
        );
        if (!timing) continue;
        timing.uses = step.uses ?? (step.run !== undefined ? 'run' : undefined);
        timing.summary = step.summary;
      }
    }
  }
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** A matrix job's name lists every matrix value (as GitHub shows it); the first one says which. */
export function jobLabel(job: string): string {
  return job.replace(/ \(([^,)]*)(, [^)]*)\)$/, (_all, first: string) => ` (${first})`);
}

/** A workflow command's message as a person reads it: `::warning::a%25` is "warning: a%". */
export function commandText(line: string): string {
  const match = /^::(error|warning|notice)(?: [^:]*)?::(.*)$/.exec(line);
  if (!match) return line;
  const message = (match[2] ?? '').replace(/%0D/g, '').replace(/%0A/g, ' ').replace(/%25/g, '%');
  return `${match[1]}: ${message}`;
}
