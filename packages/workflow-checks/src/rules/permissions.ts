// Without `permissions:` a job's token gets the repository's default, which may be write to everything;
// `write-all`/`read-all` say the same out loud. `id-token: write` lets a job mint OIDC tokens that an AWS
// role trusts, so only the jobs that assume a role (aws-actions/configure-aws-credentials) may have it.
import type { Node } from 'yaml';
import type { Finding } from '../finding.js';
import type { Repository } from '../repository.js';
import type { Rule } from '../rule.js';
import { parseUses, remoteName } from '../uses.js';
import { actionSteps, jobSteps, jobsOf, type Job } from '../workflow.js';
import type { YamlFile } from '../yaml-file.js';
import { field, text, value } from '../yaml-node.js';

const name = 'permissions';
const BROAD = new Set(['write-all', 'read-all']);
const OIDC_ACTIONS = new Set(['aws-actions/configure-aws-credentials']);

export const permissions: Rule = {
  name,
  check(file, repository) {
    if (file.kind !== 'workflow') return [];
    const yaml = file.yaml;
    const findings: Finding[] = [];
    const top = field(yaml.contents, 'permissions');
    if (top) findings.push(...broad(yaml, top.value, 'the workflow'));
    const jobs = jobsOf(yaml);
    const inheriting: Job[] = [];
    for (const job of jobs) {
      const own = field(job.node, 'permissions');
      if (!own) {
        inheriting.push(job);
        if (!top) {
          findings.push(
            yaml.finding(
              job.keyNode,
              name,
              `job "${job.id}" has no permissions: and neither has the workflow, so its token gets the repository default; declare the least it needs (e.g. permissions: { contents: read })`,
            ),
          );
        }
        continue;
      }
      findings.push(...broad(yaml, own.value, `job "${job.id}"`));
      const idToken = writesIdToken(own.value);
      if (idToken && !requestsAwsCredentials(job, repository, new Set())) {
        findings.push(
          yaml.finding(
            idToken,
            name,
            `job "${job.id}" has id-token: write but assumes no AWS role (no aws-actions/configure-aws-credentials); remove it`,
          ),
        );
      }
    }
    const topIdToken = top && writesIdToken(top.value);
    if (topIdToken) {
      const needless = inheriting.filter((job) => !requestsAwsCredentials(job, repository, new Set()));
      if (needless.length > 0) {
        findings.push(
          yaml.finding(
            topIdToken,
            name,
            `id-token: write at the workflow level reaches job(s) ${needless.map((job) => `"${job.id}"`).join(', ')} that assume no AWS role; grant it only on the jobs that use aws-actions/configure-aws-credentials`,
          ),
        );
      }
    }
    return findings;
  },
};

function broad(yaml: YamlFile, node: Node | null, owner: string): Finding[] {
  const scalar = text(node);
  if (scalar === undefined || !BROAD.has(scalar)) return [];
  return [
    yaml.finding(node, name, `${owner} grants ${scalar}; list the scopes it needs (e.g. contents: read)`),
  ];
}

function writesIdToken(node: Node | null): Node | undefined {
  const idToken = field(node, 'id-token');
  return idToken && text(idToken.value) === 'write' ? (idToken.value ?? idToken.keyNode) : undefined;
}

/**
 * Whether a job asks for AWS credentials by OIDC: itself, through a local composite action, or through a
 * local reusable workflow (which can only use the id-token its caller grants). A workflow in another
 * repository cannot be read here, so a job that calls one keeps its id-token unquestioned.
 */
function requestsAwsCredentials(job: Job, repository: Repository, seen: Set<string>): boolean {
  const uses = text(value(job.node, 'uses'));
  if (uses !== undefined) {
    const target = repository.target(uses);
    if (!target) return true;
    if (!target.file || seen.has(target.path)) return false;
    seen.add(target.path);
    return jobsOf(target.file).some((calleeJob) => requestsAwsCredentials(calleeJob, repository, seen));
  }
  return jobSteps(job).some((step) =>
    stepRequestsAwsCredentials(text(value(step.node, 'uses')), repository, seen),
  );
}

function stepRequestsAwsCredentials(
  uses: string | undefined,
  repository: Repository,
  seen: Set<string>,
): boolean {
  if (uses === undefined) return false;
  const target = repository.target(uses);
  if (target?.kind === 'action') {
    if (!target.file || seen.has(target.path)) return false;
    seen.add(target.path);
    return actionSteps(target.file).some((step) =>
      stepRequestsAwsCredentials(text(value(step.node, 'uses')), repository, seen),
    );
  }
  const action = remoteName(parseUses(uses));
  return action !== undefined && OIDC_ACTIONS.has(action);
}
