import type { Finding } from './finding.js';
import type { Repository } from './repository.js';
import type { CheckedFile } from './workflow.js';

/** One check. It sees each workflow and each local action.yml once, and reads others through the repository. */
export interface Rule {
  /** Also the name of its file in rules/ and the `rule` of its findings. */
  name: string;
  check(file: CheckedFile, repository: Repository): Finding[];
}
