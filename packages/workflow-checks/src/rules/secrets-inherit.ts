// `secrets: inherit` hands every repository, organisation and environment secret to the called workflow,
// whatever it declares; naming each secret keeps the callee to what it needs and lets reusable-inputs check it.
import type { Rule } from '../rule.js';
import { jobsOf } from '../workflow.js';
import { field, text, value } from '../yaml-node.js';

const name = 'secrets-inherit';

export const secretsInherit: Rule = {
  name,
  check(file) {
    if (file.kind !== 'workflow') return [];
    return jobsOf(file.yaml).flatMap((job) => {
      const secrets = field(job.node, 'secrets');
      if (!secrets || text(secrets.value) !== 'inherit') return [];
      const callee = text(value(job.node, 'uses')) ?? 'the called workflow';
      return [
        file.yaml.finding(
          secrets.value,
          name,
          `job "${job.id}" passes every secret to ${callee}; pass only those it declares (secrets: { NAME: \${{ secrets.NAME }} })`,
        ),
      ];
    });
  },
};
