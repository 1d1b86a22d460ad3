// `pull_request_target` and `workflow_run` run with the base repository's secrets and a write token, even for
// a fork's pull request. Checking out the pull request's code there runs it (npm ci, build scripts) with
// those powers; and a checkout that persists its token leaves it in .git/config for every later step.
import type { Finding } from '../finding.js';
import type { Rule } from '../rule.js';
import { parseUses, remoteName } from '../uses.js';
import { jobsOf, jobSteps, triggersOf } from '../workflow.js';
import { field, text, value } from '../yaml-node.js';

const name = 'dangerous-triggers';
const PRIVILEGED = ['pull_request_target', 'workflow_run'];
/** Refs and repositories that name the pull request's (or the triggering run's) code rather than the base. */
const UNTRUSTED_CODE =
  /head\.(sha|ref|repo)|head_ref|head_sha|head_branch|head_commit|head_repository|merge_commit_sha|refs\/pull\//i;

export const dangerousTriggers: Rule = {
  name,
  check(file) {
    if (file.kind !== 'workflow') return [];
    const yaml = file.yaml;
    const privileged = triggersOf(yaml).filter((trigger) => PRIVILEGED.includes(trigger.name));
    if (privileged.length === 0) return [];
    const event = privileged.map((trigger) => trigger.name).join('/');
    const findings: Finding[] = [];
    for (const job of jobsOf(yaml)) {
      for (const step of jobSteps(job)) {
        const usesNode = value(step.node, 'uses');
        const uses = text(usesNode);
        if (uses === undefined || remoteName(parseUses(uses)) !== 'actions/checkout') continue;
        const settings = value(step.node, 'with');
        for (const key of ['ref', 'repository']) {
          const entry = field(settings, key);
          const given = text(entry?.value);
          if (entry && given !== undefined && UNTRUSTED_CODE.test(given)) {
            findings.push(
              yaml.finding(
                entry.value,
                name,
                `job "${job.id}" checks out untrusted code (${key}: ${given}) in a ${event} workflow, which runs with secrets and a write token; build untrusted code in a pull_request workflow and pass results as artifacts`,
              ),
            );
          }
        }
        if (text(value(settings, 'persist-credentials')) !== 'false') {
          findings.push(
            yaml.finding(
              usesNode,
              name,
              `job "${job.id}" checks out with persisted credentials in a ${event} workflow; set persist-credentials: false`,
            ),
          );
        }
      }
    }
    return findings;
  },
};
