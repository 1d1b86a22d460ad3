// The order jobs run in: every job after its `needs`. GitHub starts independent jobs in parallel; this
// runner runs one job at a time, the earliest declared ready job first.
import { ConfigurationError } from '@ecs-ship/shared/errors';

export interface GraphJob {
  key: string;
  needs: readonly string[];
}

export function jobOrder(jobs: readonly GraphJob[]): string[] {
  const keys = new Set(jobs.map((job) => job.key));
  for (const job of jobs) {
    for (const need of job.needs) {
      if (!keys.has(need))
        throw new ConfigurationError(`job '${job.key}' needs '${need}', which is not a job of this workflow`);
    }
  }
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < jobs.length) {
    const next = jobs.find((job) => !done.has(job.key) && job.needs.every((need) => done.has(need)));
    if (!next) {
      const stuck = jobs.filter((job) => !done.has(job.key)).map((job) => job.key);
      throw new ConfigurationError(`the needs of ${stuck.join(', ')} form a cycle`);
    }
    done.add(next.key);
    order.push(next.key);
  }
  return order;
}

/** Every job a job depends on, directly or through others: job-level status functions look at all of them. */
export function ancestors(jobs: readonly GraphJob[], key: string): string[] {
  const byKey = new Map(jobs.map((job) => [job.key, job]));
  const seen = new Set<string>();
  const visit = (name: string): void => {
    for (const need of byKey.get(name)?.needs ?? []) {
      if (seen.has(need)) continue;
      seen.add(need);
      visit(need);
    }
  };
  visit(key);
  return [...seen];
}
