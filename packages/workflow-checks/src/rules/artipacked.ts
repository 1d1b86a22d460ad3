// actions/checkout writes the job's token into .git/config unless told not to; a job that then uploads an
// artifact of the workspace can publish that token to anyone who can download the artifact.
import type { Rule } from '../rule.js';
import { parseUses, remoteName } from '../uses.js';
import { jobSteps, jobsOf } from '../workflow.js';
import { text, value } from '../yaml-node.js';

const name = 'artipacked';

export const artipacked: Rule = {
  name,
  check(file) {
    if (file.kind !== 'workflow') return [];
    return jobsOf(file.yaml).flatMap((job) => {
      const steps = jobSteps(job).map((step) => ({ step, action: actionName(value(step.node, 'uses')) }));
      if (!steps.some(({ action }) => action === 'actions/upload-artifact')) return [];
      return steps
        .filter(
          ({ step, action }) =>
            action === 'actions/checkout' &&
            text(value(value(step.node, 'with'), 'persist-credentials')) !== 'false',
        )
        .map(({ step }) =>
          file.yaml.finding(
            value(step.node, 'uses'),
            name,
            `job "${job.id}" uploads an artifact after a checkout that keeps its token in .git/config; set persist-credentials: false`,
          ),
        );
    });
  },
};

function actionName(node: unknown): string | undefined {
  const uses = text(node);
  return uses === undefined ? undefined : remoteName(parseUses(uses));
}
