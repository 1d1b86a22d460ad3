// A tag or branch can be moved to other code after review (tj-actions/changed-files, March 2025): only a
// commit SHA names fixed code, and the version comment is what a reader and Dependabot update from.
// This repository's own actions (`--self`) are exempt: they are released with the workflows that use
// them, and the reusable-inputs rule checks them against the local files.
import type { Node } from 'yaml';
import type { Finding } from '../finding.js';
import type { Rule } from '../rule.js';
import type { Repository } from '../repository.js';
import { localPath, parseUses } from '../uses.js';
import { jobsOf, stepsOf } from '../workflow.js';
import type { YamlFile } from '../yaml-file.js';
import { field, text } from '../yaml-node.js';

const name = 'unpinned-uses';
const COMMIT_SHA = /^[0-9a-f]{40}$/;
const IMAGE_DIGEST = /@sha256:[0-9a-f]{64}$/;
/** `# v4.2.2`, `# 4.2.2`, `# v4`: a version that names the pinned commit for people. */
const VERSION_COMMENT = /^\s*#\s*v?\d+(\.\d+)*\b/;

export const unpinnedUses: Rule = {
  name,
  check(file, repository) {
    const usesNodes: Node[] = [];
    if (file.kind === 'workflow') {
      for (const job of jobsOf(file.yaml)) {
        const uses = field(job.node, 'uses')?.value;
        if (uses) usesNodes.push(uses);
      }
    }
    for (const step of stepsOf(file)) {
      const uses = field(step.node, 'uses')?.value;
      if (uses) usesNodes.push(uses);
    }
    return usesNodes.flatMap((node) => checkUses(file.yaml, node, repository));
  },
};

function checkUses(file: YamlFile, node: Node, repository: Repository): Finding[] {
  const uses = text(node);
  if (uses === undefined) return [];
  const reference = parseUses(uses);
  if (reference.kind === 'local') return [];
  if (localPath(reference, repository.selfRepository) !== undefined) return [];
  if (reference.kind === 'docker') {
    return IMAGE_DIGEST.test(reference.image)
      ? []
      : [file.finding(node, name, `${uses} is not pinned by digest: use docker://IMAGE@sha256:<digest>`)];
  }
  if (reference.ref === undefined || !COMMIT_SHA.test(reference.ref)) {
    const target = uses.split('@')[0];
    return [
      file.finding(
        node,
        name,
        `${uses} is not pinned to a commit SHA: use ${target}@<40-hex commit> # <version>`,
      ),
    ];
  }
  if (!VERSION_COMMENT.test(file.restOfLine(node))) {
    return [file.finding(node, name, `${uses} has no version comment on its line (e.g. # v4.2.2)`)];
  }
  return [];
}
