// Cancelling a deploy in flight leaves the service mid-shift, with no rollback and no final status; a
// concurrency group without cancel-in-progress already holds the newer run until the current one ends.
import type { Node } from 'yaml';
import type { Finding } from '../finding.js';
import type { Repository } from '../repository.js';
import type { Rule } from '../rule.js';
import { parseUses } from '../uses.js';
import { jobSteps, jobsOf, type Job } from '../workflow.js';
import type { YamlFile } from '../yaml-file.js';
import { field, isExpression, text, value } from '../yaml-node.js';

const name = 'deploy-cancel-in-progress';
/** Reusable workflows that deploy, by file name: deploy.yml, promote.yml, deploy-prod.yml … */
const DEPLOY_WORKFLOW = /(^|\/)(deploy|promote)[^/]*\.ya?ml$/;

export const deployCancelInProgress: Rule = {
  name,
  check(file, repository) {
    if (file.kind !== 'workflow') return [];
    const yaml = file.yaml;
    const findings: Finding[] = [];
    const deploying = jobsOf(yaml).filter((job) => deploys(job, repository, new Set()));
    for (const job of deploying) {
      const cancel = cancelsInProgress(value(job.node, 'concurrency'));
      if (cancel) findings.push(finding(yaml, cancel, `job "${job.id}" deploys`));
    }
    const cancel = cancelsInProgress(value(yaml.contents, 'concurrency'));
    if (cancel && deploying.length > 0) {
      const names = deploying.map((job) => `"${job.id}"`).join(', ');
      findings.push(finding(yaml, cancel, `the workflow's concurrency covers deploying job(s) ${names}`));
    }
    return findings;
  },
};

function finding(yaml: YamlFile, cancel: Node, subject: string): Finding {
  const setting = text(cancel) ?? '';
  const how = isExpression(setting)
    ? `cancel-in-progress: ${setting} may be true`
    : 'cancel-in-progress: true';
  return yaml.finding(
    cancel,
    name,
    `${subject} and has ${how}: a newer run would cancel a deploy in flight; remove it (the group still queues newer runs)`,
  );
}

/** The `cancel-in-progress` value when it is, or may be, true: an expression counts, being unknowable here. */
function cancelsInProgress(concurrency: Node | null | undefined): Node | undefined {
  const entry = field(concurrency, 'cancel-in-progress');
  const setting = text(entry?.value);
  if (!entry || setting === undefined) return undefined;
  return setting === 'true' || isExpression(setting) ? (entry.value ?? entry.keyNode) : undefined;
}

/**
 * A job deploys when it targets an environment, runs the ecs-deploy action, or calls a workflow that
 * deploys (deploy.yml, promote.yml, or a local workflow with a deploying job).
 */
function deploys(job: Job, repository: Repository, seen: Set<string>): boolean {
  if (field(job.node, 'environment')) return true;
  const uses = text(value(job.node, 'uses'));
  if (uses !== undefined) {
    const reference = parseUses(uses);
    const path =
      reference.kind === 'remote' ? reference.path : reference.kind === 'local' ? reference.path : '';
    if (DEPLOY_WORKFLOW.test(path)) return true;
    const target = repository.target(uses);
    if (target?.kind !== 'workflow' || !target.file || seen.has(target.path)) return false;
    seen.add(target.path);
    return jobsOf(target.file).some((calleeJob) => deploys(calleeJob, repository, seen));
  }
  return jobSteps(job).some((step) => {
    const stepUses = text(value(step.node, 'uses'));
    if (stepUses === undefined) return false;
    const reference = parseUses(stepUses);
    return reference.kind !== 'docker' && /(^|\/)actions\/ecs-deploy$/.test(reference.path);
  });
}
